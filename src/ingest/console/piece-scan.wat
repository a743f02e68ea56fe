;; The scans of piece-scan.ts over a piece of console bytes copied to the memory (at WINDOW): where
;; the next place that may hold a banner is (`next`), and how far a run of plainly stamped lines goes
;; (`plainRun`). `npm run build:wasm` compiles this file to piece-scan.wasm.ts; a test checks that
;; the bytes shipped are this file's.
;;
;; Memory (4 pages):
;;   [0, 16)             zeros: what a look two bytes before the window's first byte reads
;;   [16, 16 + 65536)    the window: a piece of at most 64 KiB, then what an earlier piece left
;;   [0x20000, 0x30000)  COLON_PAIRS: 1 at `b1 | b2 << 8` when `b1 b2 :` ends a banner's head
;;                       (`BUG:` ends in `U G :`)
;;   [0x30000, 0x40000)  WORD_PAIRS: at `b0 | b1 << 8`, the third byte of a colon-less banner
;;                       keyword that starts `b0 b1` (`Kernel panic`: `r` at `K e`), 1 for any
;;                       third byte, 0 for none
;; The caller fills the tables once and copies each piece to the window.
(module
  (memory (export "memory") 4)
  ;; The first position p in [from, end) of the window where a banner may be: a `:` whose two
  ;; bytes before are in COLON_PAIRS, or the start of three bytes that WORD_PAIRS takes; `end`
  ;; when none. Each block of 16 bytes is tested at once for the bytes such a place has at p (the
  ;; `:` or a keyword's first byte, `trigger` below), and only the bytes found are looked at.
  ;; What a last block reads past `end` is masked off; the bytes after p that a keyword test
  ;; reads may lie past `end` (the caller's own test then says no).
  (func (export "next") (param $from i32) (param $end i32) (result i32)
    (local $p i32)
    (local $v v128)
    (local $m i32)
    (local $q i32)
    (local $t i32)
    (local.set $p (local.get $from))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load offset=16 (local.get $p)))
        (local.set $m
          (i8x16.bitmask
            (v128.or
              (v128.or
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x3a)))   ;; :
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x67))))  ;; g
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x55)))   ;; U
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x4b))))  ;; K
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x42))))))) ;; B
        ;; (the bytes of a last block from `end` on are no part of the piece)
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16))
          (then
            (local.set $m
              (i32.and (local.get $m)
                (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $p))) (i32.const 1))))))
        (block $next
          (loop $bit
            (br_if $next (i32.eqz (local.get $m)))
            (local.set $q (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
            (if (i32.eq (i32.load8_u offset=16 (local.get $q)) (i32.const 0x3a))
              (then
                ;; the two bytes before the colon (the zeros before the window when q < 2)
                (br_if $done
                  (i32.load8_u offset=0x20000 (i32.load16_u offset=14 (local.get $q)))))
              (else
                (local.set $t (i32.load8_u offset=0x30000 (i32.load16_u offset=16 (local.get $q))))
                (br_if $done
                  (i32.and
                    (i32.ne (local.get $t) (i32.const 0))
                    (i32.or
                      (i32.eq (local.get $t) (i32.const 1))
                      (i32.eq (local.get $t) (i32.load8_u offset=18 (local.get $q))))))))
            (br $bit)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $block)))
    ;; found: q; none: end (p >= end, or the bit loop's exit left q at a found place)
    (if (result i32) (i32.lt_u (local.get $p) (local.get $end))
      (then (local.get $q))
      (else (local.get $end))))

  ;; How many lines `plainRun` took.
  (global $taken (export "taken") (mut i32) (i32.const 0))

  ;; From `s`, the start of a line of the window, the lines that end (at their newline, before
  ;; `end`) before `stop`, are at most `max` bytes long, start with a plain stamp (`[`, blanks,
  ;; digits, `.`, digits, `]`) and do not end in what may be a cut stamp (a `[` among their last 23
  ;; bytes with only blanks, digits and dots after it, not their first byte): where the first line
  ;; that is not one starts; `taken` is how many there were. (plainStampClose, line by line.)
  (func (export "plainRun") (param $s i32) (param $stop i32) (param $end i32) (param $max i32) (result i32)
    (local $n i32)
    (local $p i32)
    (local $m i32)
    (local $i i32)
    (local $j i32)
    (local $d i32)
    (local $c i32)
    (block $done
      (loop $line
        ;; $i: the line's newline, found 16 bytes a step (one found past `end` is none)
        (local.set $p (local.get $s))
        (block $found
          (loop $block
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $m
              (i8x16.bitmask
                (i8x16.eq (v128.load offset=16 (local.get $p)) (i8x16.splat (i32.const 0x0a)))))
            (if (local.get $m)
              (then
                (local.set $i (i32.add (local.get $p) (i32.ctz (local.get $m))))
                (br $found)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $block)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $stop)))
        (br_if $done (i32.gt_u (i32.sub (local.get $i) (local.get $s)) (local.get $max)))
        ;; the stamp (no part of it is a newline: each loop stops at the line's end)
        (br_if $done (i32.ne (i32.load8_u offset=16 (local.get $s)) (i32.const 0x5b)))
        (local.set $j (i32.add (local.get $s) (i32.const 1)))
        (block $blanks
          (loop $blank
            (br_if $blanks (i32.ne (i32.load8_u offset=16 (local.get $j)) (i32.const 0x20)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $blank)))
        (local.set $d (local.get $j))
        (block $digits
          (loop $digit
            (br_if $digits
              (i32.ge_u (i32.sub (i32.load8_u offset=16 (local.get $j)) (i32.const 0x30)) (i32.const 10)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $digit)))
        (br_if $done (i32.eq (local.get $j) (local.get $d)))
        (br_if $done (i32.ne (i32.load8_u offset=16 (local.get $j)) (i32.const 0x2e)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $d (local.get $j))
        (block $fraction
          (loop $digit
            (br_if $fraction
              (i32.ge_u (i32.sub (i32.load8_u offset=16 (local.get $j)) (i32.const 0x30)) (i32.const 10)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $digit)))
        (br_if $done (i32.eq (local.get $j) (local.get $d)))
        (br_if $done (i32.ne (i32.load8_u offset=16 (local.get $j)) (i32.const 0x5d)))
        ;; a cut stamp at the end, read backwards (the stamp makes the line longer than 1 byte)
        (local.set $j (i32.sub (local.get $i) (i32.const 1)))
        (block $whole
          (loop $back
            (br_if $whole (i32.le_u (local.get $j) (local.get $s)))
            (br_if $whole (i32.ge_u (i32.sub (local.get $i) (local.get $j)) (i32.const 24)))
            (local.set $c (i32.load8_u offset=16 (local.get $j)))
            (br_if $done (i32.eq (local.get $c) (i32.const 0x5b)))
            (br_if $whole
              (i32.and
                (i32.and
                  (i32.ne (local.get $c) (i32.const 0x20))
                  (i32.ne (local.get $c) (i32.const 0x2e)))
                (i32.ge_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $back)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $s (i32.add (local.get $i) (i32.const 1)))
        (br $line)))
    (global.set $taken (local.get $n))
    (local.get $s))
)
