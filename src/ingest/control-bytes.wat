;; The vector scan of control-bytes.ts: where a 16-byte block of a window (copied to the start of
;; the memory) may hold a control byte. `npm run build:wasm` compiles this file to
;; control-bytes.wasm.ts; a test checks that the bytes shipped are this file's.
(module
  ;; one page: a window of 64 KiB (a block starts at a multiple of 16 below the window's end, so
  ;; what the last one reads past `end` is still in the page)
  (memory (export "memory") 1)
  ;; The first 16-byte block at or after `from` (a multiple of 16) and before `end` holding a
  ;; byte below 0x20 other than TAB and LF, or 0x7f; `end` or more when none. A CR counts (the
  ;; caller looks for the LF after it), and so may the bytes a last block reads past `end` (left
  ;; there by an earlier window).
  (func (export "scan") (param $from i32) (param $end i32) (result i32)
    (local $v v128)
    (block $found
      (loop $next
        (br_if $found (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $v (v128.load (local.get $from)))
        (br_if $found
          (v128.any_true
            (v128.or
              (v128.andnot
                (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
                (v128.or
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x09)))
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a)))))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x7f))))))
        (local.set $from (i32.add (local.get $from) (i32.const 16)))
        (br $next)))
    (local.get $from))
)
