/**
 * Known misses of the syzkaller report suite (file name → reason). Each entry
 * counts as a miss in the printed score. At most 35 entries, none of them a
 * `TYPE: LOCKDEP` log.
 */
export const SYZKALLER_SKIP: Record<string, string> = {
  '748':
    'Rust v0 symbol demangling (`_RNvCs..` → `<rust_binder::process::Process>::update_ref`) is not implemented',
  '749': 'Rust v0 symbol demangling (`_RNvCs..` → `<ashmem_rust::Ashmem as ...>::mmap`) is not implemented',
};
