;; The vector scan of banner-scan.ts: where, in a piece of console bytes (copied to the memory at
;; WINDOW), the next place that may hold a banner is. `npm run build:wasm` compiles this file to
;; banner-scan.wasm.ts; a test checks that the bytes shipped are this file's.
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
)
