/** `1 cycle`, `2 cycles`, `0 cycles`; `many` for a plural that is not the noun + `s`. */
export function counted(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
