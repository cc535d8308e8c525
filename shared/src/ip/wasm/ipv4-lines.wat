;; The IPv4 line reader of shared/src/ip/read-lines.ts (readIpv4Lines), in WebAssembly.
;;
;; Why: a CLI process reads its one big list while V8 still runs the JavaScript reader in the
;; interpreter (tens of milliseconds for 100,000 lines before on-stack replacement); Liftoff
;; compiles this module to machine code at once, so the first call is as fast as the last.
;; Semantics are those of the JavaScript reader, line for line: it takes consecutive lines that
;; are each exactly a canonical IPv4 address or CIDR (then LF, CRLF or the end), host bits clear,
;; coalescing touching ranges, and stops at the first other line, leaving it to the general path.
;;
;; formatIpv4Cidrs is the other end, IpSet.toCidrs for IPv4: normalised ranges to the text of their
;; minimal CIDR cover, one a line, without a string per intermediate step.
;;
;; Memory: ranges are f64 pairs [start, end) from address 0 (the caller writes its previous range
;; as pair 0 and passes n = 1, so the first line can coalesce with it); the text's bytes lie
;; wherever the caller put them, with one 0 byte after the end. Regenerate the TypeScript module
;; holding the bytes with `node test/scripts/build-wasm.ts` after editing this file.
(module
  (memory (export "memory") 9)
  ;; Results besides the returned address: lines taken, pairs now used, whether some range
  ;; started before the previous one.
  (global $lines (export "lines") (mut i32) (i32.const 0))
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $unsorted (export "unsorted") (mut i32) (i32.const 0))

  ;; Reads lines from address $p up to $end (the end of the text); $n pairs are in use, at most
  ;; $cap may be. Returns the address of the first line not taken (or $end when all were).
  (func (export "readIpv4Lines")
    (param $p i32) (param $end i32) (param $n i32) (param $cap i32) (result i32)
    (local $line i32) (local $k i32) (local $c i32) (local $octet i32) (local $prefix i32)
    (local $value i64) (local $size i64) (local $stop i64)
    (local $lastStart i64) (local $lastEnd i64) (local $lines i32) (local $unsorted i32)
    (local.set $lastStart (i64.const -1))
    (local.set $lastEnd (i64.const -1))
    (if (local.get $n)
      (then
        (local.set $c (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 4)))
        (local.set $lastStart (i64.trunc_f64_s (f64.load (local.get $c))))
        (local.set $lastEnd (i64.trunc_f64_s (f64.load offset=8 (local.get $c))))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $done (i32.ge_u (local.get $n) (local.get $cap)))
        (local.set $line (local.get $p))
        (block $reject
          ;; Four octets: 0 or 1-3 digits without a leading zero, at most 255, '.' between.
          (local.set $value (i64.const 0))
          (local.set $k (i32.const 0))
          (loop $octets
            ;; c - 48 as unsigned: anything below '0' wraps to a large number.
            (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
            (br_if $reject (i32.gt_u (local.get $c) (i32.const 9)))
            (local.set $octet (local.get $c))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (if (local.get $octet)
              (then
                (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                (if (i32.le_u (local.get $c) (i32.const 9))
                  (then
                    (local.set $octet
                      (i32.add (i32.mul (local.get $octet) (i32.const 10)) (local.get $c)))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                    (if (i32.le_u (local.get $c) (i32.const 9))
                      (then
                        (local.set $octet
                          (i32.add (i32.mul (local.get $octet) (i32.const 10)) (local.get $c)))
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))))))))
            (br_if $reject (i32.gt_u (local.get $octet) (i32.const 255)))
            (if (i32.lt_u (local.get $k) (i32.const 3))
              (then (br_if $reject (i32.ne (i32.load8_u (local.get $p)) (i32.const 46)))))
            (local.set $value
              (i64.or (i64.shl (local.get $value) (i64.const 8))
                (i64.extend_i32_u (local.get $octet))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $octets (i32.lt_u (local.get $k) (i32.const 4))))
          ;; $p is one past the byte after the last octet: '/', CR, LF or the end's 0.
          (local.set $c (i32.load8_u (i32.sub (local.get $p) (i32.const 1))))
          (local.set $size (i64.const 1))
          (if (i32.eq (local.get $c) (i32.const 47))
            (then
              (local.set $prefix (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
              (br_if $reject (i32.gt_u (local.get $prefix) (i32.const 9)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (if (local.get $prefix)
                (then
                  (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                  (if (i32.le_u (local.get $c) (i32.const 9))
                    (then
                      (local.set $prefix
                        (i32.add (i32.mul (local.get $prefix) (i32.const 10)) (local.get $c)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))))))
              (br_if $reject (i32.gt_u (local.get $prefix) (i32.const 32)))
              (local.set $size
                (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (i32.const 32) (local.get $prefix)))))
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
          (if (i32.eq (local.get $c) (i32.const 13))
            (then
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
          ;; LF, or the end of the text (its 0 byte, now behind $p).
          (br_if $reject
            (i32.and (i32.ne (local.get $c) (i32.const 10)) (i32.le_u (local.get $p) (local.get $end))))
          ;; Host bits set: left to the general path, which notes them.
          (br_if $reject
            (i64.ne (i64.and (local.get $value) (i64.sub (local.get $size) (i64.const 1))) (i64.const 0)))
          (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
          (local.set $stop (i64.add (local.get $value) (local.get $size)))
          (if (i32.and (i64.ge_s (local.get $value) (local.get $lastStart))
                (i64.le_s (local.get $value) (local.get $lastEnd)))
            (then
              (if (i64.gt_s (local.get $stop) (local.get $lastEnd))
                (then
                  (local.set $lastEnd (local.get $stop))
                  (f64.store offset=8
                    (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 4))
                    (f64.convert_i64_s (local.get $stop)))))
              (br $next)))
          (if (i64.lt_s (local.get $value) (local.get $lastStart))
            (then (local.set $unsorted (i32.const 1))))
          (local.set $c (i32.shl (local.get $n) (i32.const 4)))
          (f64.store (local.get $c) (f64.convert_i64_s (local.get $value)))
          (f64.store offset=8 (local.get $c) (f64.convert_i64_s (local.get $stop)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (local.set $lastStart (local.get $value))
          (local.set $lastEnd (local.get $stop))
          (br $next))
        ;; Not a plain IPv4 line: back to its start, for the general path.
        (local.set $p (local.get $line))))
    (global.set $lines (local.get $lines))
    (global.set $count (local.get $n))
    (global.set $unsorted (local.get $unsorted))
    (local.get $p))

;; The decimal text of each octet value v, for formatIpv4Cidrs: 4 bytes at $DECIMALS + 4v hold
  ;; its digits then '.', and the byte at $LENGTHS + v how many of those bytes that is. Filled by
  ;; the start function; the JavaScript side keeps its text after them (read-lines.ts, WASM_TEXT).
  (global $DECIMALS i32 (i32.const 524288))
  (global $LENGTHS i32 (i32.const 525312))
  (start $fillDecimals)
  (func $fillDecimals
    (local $v i32) (local $text i32) (local $length i32)
    (loop $values
      (if (i32.lt_u (local.get $v) (i32.const 10))
        (then
          (local.set $text (i32.or (i32.add (local.get $v) (i32.const 48)) (i32.const 0x2e00)))
          (local.set $length (i32.const 2)))
        (else
          (if (i32.lt_u (local.get $v) (i32.const 100))
            (then
              (local.set $text
                (i32.or
                  (i32.or (i32.add (i32.div_u (local.get $v) (i32.const 10)) (i32.const 48))
                    (i32.shl (i32.add (i32.rem_u (local.get $v) (i32.const 10)) (i32.const 48)) (i32.const 8)))
                  (i32.const 0x2e0000)))
              (local.set $length (i32.const 3)))
            (else
              (local.set $text
                (i32.or
                  (i32.or (i32.add (i32.div_u (local.get $v) (i32.const 100)) (i32.const 48))
                    (i32.shl
                      (i32.add (i32.rem_u (i32.div_u (local.get $v) (i32.const 10)) (i32.const 10)) (i32.const 48))
                      (i32.const 8)))
                  (i32.or
                    (i32.shl (i32.add (i32.rem_u (local.get $v) (i32.const 10)) (i32.const 48)) (i32.const 16))
                    (i32.const 0x2e000000))))
              (local.set $length (i32.const 4))))))
      (i32.store (i32.add (global.get $DECIMALS) (i32.shl (local.get $v) (i32.const 2))) (local.get $text))
      (i32.store8 (i32.add (global.get $LENGTHS) (local.get $v)) (local.get $length))
      (local.set $v (i32.add (local.get $v) (i32.const 1)))
      (br_if $values (i32.lt_u (local.get $v) (i32.const 256)))))

  ;; Writes the decimal text of $v (0-255) then '.' at $out; returns the address after them.
  (func $decimal (param $out i32) (param $v i32) (result i32)
    (i32.store (local.get $out) (i32.load (i32.add (global.get $DECIMALS) (i32.shl (local.get $v) (i32.const 2)))))
    (i32.add (local.get $out) (i32.load8_u (i32.add (global.get $LENGTHS) (local.get $v)))))

  ;; Writes the minimal CIDR cover of the $n sorted, disjoint ranges (f64 pairs [start, end) at
  ;; $r) as text from $out, each CIDR then LF. Stops before a range when fewer than 1,216 bytes
  ;; (64 CIDRs of at most 19 bytes: the most one range needs) remain before $limit; the global
  ;; count says how many ranges were written. Returns the end of the text.
  (func (export "formatIpv4Cidrs")
    (param $r i32) (param $n i32) (param $out i32) (param $limit i32) (result i32)
    (local $k i32) (local $s i64) (local $e i64) (local $bits i64) (local $v i32)
    (block $done
      (loop $ranges
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (br_if $done (i32.gt_u (i32.add (local.get $out) (i32.const 1216)) (local.get $limit)))
        (local.set $s (i64.trunc_f64_s (f64.load (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 4))))))
        (local.set $e
          (i64.trunc_f64_s (f64.load offset=8 (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 4))))))
        (block $range
          (loop $cidrs
            (br_if $range (i64.ge_s (local.get $s) (local.get $e)))
            ;; The largest aligned block at s that fits: 2^bits, bits the smaller of the lowest
            ;; set bit of s (64 for 0) and the highest of e - s.
            (local.set $bits
              (select (i64.ctz (local.get $s))
                (i64.sub (i64.const 63) (i64.clz (i64.sub (local.get $e) (local.get $s))))
                (i64.lt_u (i64.ctz (local.get $s))
                  (i64.sub (i64.const 63) (i64.clz (i64.sub (local.get $e) (local.get $s)))))))
            (local.set $v (i32.wrap_i64 (local.get $s)))
            (local.set $out (call $decimal (local.get $out) (i32.shr_u (local.get $v) (i32.const 24))))
            (local.set $out
              (call $decimal (local.get $out) (i32.and (i32.shr_u (local.get $v) (i32.const 16)) (i32.const 255))))
            (local.set $out
              (call $decimal (local.get $out) (i32.and (i32.shr_u (local.get $v) (i32.const 8)) (i32.const 255))))
            (local.set $out (call $decimal (local.get $out) (i32.and (local.get $v) (i32.const 255))))
            ;; The last octet's '.' becomes '/', the prefix's '.' a line break.
            (i32.store8 (i32.sub (local.get $out) (i32.const 1)) (i32.const 47))
            (local.set $out
              (call $decimal (local.get $out) (i32.sub (i32.const 32) (i32.wrap_i64 (local.get $bits)))))
            (i32.store8 (i32.sub (local.get $out) (i32.const 1)) (i32.const 10))
            (local.set $s (i64.add (local.get $s) (i64.shl (i64.const 1) (local.get $bits))))
            (br $cidrs)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $ranges)))
    (global.set $count (local.get $k))
    (local.get $out)))
