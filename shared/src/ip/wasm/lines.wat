;; The line readers and the IPv4 CIDR formatter of shared/src/ip/read-lines.ts (readIpv4Lines, readIpv6Lines, formatIpv4CidrsWasm), in WebAssembly.
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

  ;; The value of each byte as a hex digit (0-15), or 255, at $HEX + byte; filled by the start
  ;; function. The groups of the IPv6 address being read, 8 i32 from $GROUPS.
  (global $HEX i32 (i32.const 525568))
  (global $GROUPS i32 (i32.const 525824))

  (func $fillHex
    (local $c i32)
    (loop $bytes
      (i32.store8 (i32.add (global.get $HEX) (local.get $c))
        (if (result i32) (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
          (then (i32.sub (local.get $c) (i32.const 48)))
          (else
            (if (result i32) (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 97)) (i32.const 6))
              (then (i32.sub (i32.or (local.get $c) (i32.const 32)) (i32.const 87)))
              (else (i32.const 255))))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $bytes (i32.lt_u (local.get $c) (i32.const 256)))))

  ;; Stores the 128-bit $hi:$lo as four 32-bit words, the most significant first (the layout of
  ;; RangeCollector.r6).
  (func $storeWords (param $at i32) (param $hi i64) (param $lo i64)
    (i64.store32 (local.get $at) (i64.shr_u (local.get $hi) (i64.const 32)))
    (i64.store32 offset=4 (local.get $at) (local.get $hi))
    (i64.store32 offset=8 (local.get $at) (i64.shr_u (local.get $lo) (i64.const 32)))
    (i64.store32 offset=12 (local.get $at) (local.get $lo)))

  ;; The 64-bit value of two 32-bit words at $at, the more significant first.
  (func $loadWords (param $at i32) (result i64)
    (i64.or (i64.shl (i64.load32_u (local.get $at)) (i64.const 32)) (i64.load32_u offset=4 (local.get $at))))

  ;; readIpv6Lines of read-lines.ts: consecutive lines that are each exactly an IPv6 address or
  ;; CIDR in hex groups (no dotted IPv4 part, no zone id, not IPv4-mapped: the general path notes
  ;; those), host bits clear, then LF, CRLF or the end. Ranges are 32 bytes from address 0: the
  ;; start and the inclusive end as four 32-bit words each, most significant first; the caller
  ;; puts its last range as range 0 and passes $n = 1, so the first line can coalesce with it.
  ;; Same results and return value as readIpv4Lines.
  (func (export "readIpv6Lines")
    (param $p i32) (param $end i32) (param $n i32) (param $cap i32) (result i32)
    (local $line i32) (local $c i32) (local $h i32) (local $v i32) (local $d i32)
    (local $groups i32) (local $gap i32) (local $k i32) (local $prefix i32) (local $at i32)
    (local $hi i64) (local $lo i64) (local $hiMask i64) (local $loMask i64)
    (local $endHi i64) (local $endLo i64)
    (local $lastHi i64) (local $lastLo i64) (local $lastEndHi i64) (local $lastEndLo i64)
    (local $lines i32) (local $unsorted i32)
    (if (local.get $n)
      (then
        (local.set $at (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 5)))
        (local.set $lastHi (call $loadWords (local.get $at)))
        (local.set $lastLo (call $loadWords (i32.add (local.get $at) (i32.const 8))))
        (local.set $lastEndHi (call $loadWords (i32.add (local.get $at) (i32.const 16))))
        (local.set $lastEndLo (call $loadWords (i32.add (local.get $at) (i32.const 24))))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $done (i32.ge_u (local.get $n) (local.get $cap)))
        (local.set $line (local.get $p))
        (block $reject
          (local.set $groups (i32.const 0))
          (local.set $gap (i32.const -1))
          ;; A leading '::'.
          (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 58))
            (then
              (br_if $reject (i32.ne (i32.load8_u offset=1 (local.get $p)) (i32.const 58)))
              (local.set $gap (i32.const 0))
              (local.set $p (i32.add (local.get $p) (i32.const 2)))))
          ;; Groups of 1-4 hex digits, separated by ':' or, once, '::'; after a '::' the address
          ;; may end at once.
          (block $address
            (if (i32.eqz (local.get $gap))
              (then
                (br_if $address
                  (i32.eq (i32.load8_u (i32.add (global.get $HEX) (i32.load8_u (local.get $p))))
                    (i32.const 255)))))
            (loop $group
              (local.set $v (i32.const 0))
              (local.set $d (i32.const 0))
              (block $digits
                (loop $digit
                  (local.set $h (i32.load8_u (i32.add (global.get $HEX) (i32.load8_u (local.get $p)))))
                  (br_if $digits (i32.eq (local.get $h) (i32.const 255)))
                  (br_if $reject (i32.eq (local.get $d) (i32.const 4)))
                  (local.set $v (i32.or (i32.shl (local.get $v) (i32.const 4)) (local.get $h)))
                  (local.set $d (i32.add (local.get $d) (i32.const 1)))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br $digit)))
              (br_if $reject (i32.or (i32.eqz (local.get $d)) (i32.eq (local.get $groups) (i32.const 8))))
              (i32.store (i32.add (global.get $GROUPS) (i32.shl (local.get $groups) (i32.const 2))) (local.get $v))
              (local.set $groups (i32.add (local.get $groups) (i32.const 1)))
              (br_if $address (i32.ne (i32.load8_u (local.get $p)) (i32.const 58)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 58))
                (then
                  (br_if $reject (i32.ge_s (local.get $gap) (i32.const 0)))
                  (local.set $gap (local.get $groups))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (br_if $address
                    (i32.eq (i32.load8_u (i32.add (global.get $HEX) (i32.load8_u (local.get $p))))
                      (i32.const 255)))))
              (br $group)))
          ;; Eight groups, or fewer with a '::' standing for at least one.
          (br_if $reject
            (if (result i32) (i32.lt_s (local.get $gap) (i32.const 0))
              (then (i32.ne (local.get $groups) (i32.const 8)))
              (else (i32.gt_u (local.get $groups) (i32.const 7)))))
          ;; A prefix: 1-3 digits without a leading zero, at most 128.
          (local.set $c (i32.load8_u (local.get $p)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $prefix (i32.const 128))
          (if (i32.eq (local.get $c) (i32.const 47))
            (then
              (local.set $prefix (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
              (br_if $reject (i32.gt_u (local.get $prefix) (i32.const 9)))
              (local.set $c (i32.load8_u offset=1 (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 2)))
              (if (local.get $prefix)
                (then
                  (if (i32.le_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 9))
                    (then
                      (local.set $prefix
                        (i32.add (i32.mul (local.get $prefix) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
                      (local.set $c (i32.load8_u (local.get $p)))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (if (i32.le_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 9))
                        (then
                          (local.set $prefix
                            (i32.add (i32.mul (local.get $prefix) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
                          (local.set $c (i32.load8_u (local.get $p)))
                          (local.set $p (i32.add (local.get $p) (i32.const 1)))))))))
              (br_if $reject (i32.gt_u (local.get $prefix) (i32.const 128)))))
          (if (i32.eq (local.get $c) (i32.const 13))
            (then
              (local.set $c (i32.load8_u (local.get $p)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))))
          ;; LF, or the end of the text (its 0 byte, now behind $p).
          (br_if $reject
            (i32.and (i32.ne (local.get $c) (i32.const 10)) (i32.le_u (local.get $p) (local.get $end))))
          ;; The groups into two 64-bit halves, those after the '::' moved to the end.
          (local.set $hi (i64.const 0))
          (local.set $lo (i64.const 0))
          (local.set $k (i32.const 0))
          (block $placed
            (loop $place
              (br_if $placed (i32.ge_u (local.get $k) (local.get $groups)))
              (local.set $at
                (if (result i32) (i32.and (i32.ge_s (local.get $gap) (i32.const 0)) (i32.ge_u (local.get $k) (local.get $gap)))
                  (then (i32.add (local.get $k) (i32.sub (i32.const 8) (local.get $groups))))
                  (else (local.get $k))))
              (local.set $v (i32.load (i32.add (global.get $GROUPS) (i32.shl (local.get $k) (i32.const 2)))))
              (if (i32.lt_u (local.get $at) (i32.const 4))
                (then
                  (local.set $hi
                    (i64.or (local.get $hi)
                      (i64.shl (i64.extend_i32_u (local.get $v))
                        (i64.extend_i32_u (i32.shl (i32.sub (i32.const 3) (local.get $at)) (i32.const 4)))))))
                (else
                  (local.set $lo
                    (i64.or (local.get $lo)
                      (i64.shl (i64.extend_i32_u (local.get $v))
                        (i64.extend_i32_u (i32.shl (i32.sub (i32.const 7) (local.get $at)) (i32.const 4))))))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $place)))
          ;; Host bits below the prefix.
          (if (i32.ge_u (local.get $prefix) (i32.const 64))
            (then
              (local.set $hiMask (i64.const 0))
              (local.set $loMask
                (if (result i64) (i32.eq (local.get $prefix) (i32.const 128))
                  (then (i64.const 0))
                  (else (i64.shr_u (i64.const -1) (i64.extend_i32_u (i32.sub (local.get $prefix) (i32.const 64))))))))
            (else
              (local.set $hiMask
                (if (result i64) (i32.eqz (local.get $prefix))
                  (then (i64.const -1))
                  (else (i64.shr_u (i64.const -1) (i64.extend_i32_u (local.get $prefix))))))
              (local.set $loMask (i64.const -1))))
          ;; Set host bits are left to the general path, which notes them; so are IPv4-mapped
          ;; addresses (::ffff:0:0/96).
          (br_if $reject
            (i64.ne (i64.or (i64.and (local.get $hi) (local.get $hiMask)) (i64.and (local.get $lo) (local.get $loMask)))
              (i64.const 0)))
          (br_if $reject
            (i32.and (i64.eqz (local.get $hi))
              (i32.and (i64.eq (i64.shr_u (local.get $lo) (i64.const 32)) (i64.const 0xffff))
                (i32.ge_u (local.get $prefix) (i32.const 96)))))
          (local.set $endHi (i64.or (local.get $hi) (local.get $hiMask)))
          (local.set $endLo (i64.or (local.get $lo) (local.get $loMask)))
          (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
          ;; Coalesce with the last range where this one starts in it or right after it.
          (if (local.get $n)
            (then
              (if (i32.eqz (call $below (local.get $hi) (local.get $lo) (local.get $lastHi) (local.get $lastLo)))
                (then
                  (if (call $touches (local.get $hi) (local.get $lo) (local.get $lastEndHi) (local.get $lastEndLo))
                    (then
                      (if (call $below (local.get $lastEndHi) (local.get $lastEndLo) (local.get $endHi) (local.get $endLo))
                        (then
                          (local.set $lastEndHi (local.get $endHi))
                          (local.set $lastEndLo (local.get $endLo))
                          (local.set $at (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 5)))
                          (call $storeWords (i32.add (local.get $at) (i32.const 16)) (local.get $endHi) (local.get $endLo))))
                      (br $next))))
                (else (local.set $unsorted (i32.const 1))))))
          (local.set $at (i32.shl (local.get $n) (i32.const 5)))
          (call $storeWords (local.get $at) (local.get $hi) (local.get $lo))
          (call $storeWords (i32.add (local.get $at) (i32.const 16)) (local.get $endHi) (local.get $endLo))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (local.set $lastHi (local.get $hi))
          (local.set $lastLo (local.get $lo))
          (local.set $lastEndHi (local.get $endHi))
          (local.set $lastEndLo (local.get $endLo))
          (br $next))
        ;; Not a plain IPv6 line: back to its start, for the general path.
        (local.set $p (local.get $line))))
    (global.set $lines (local.get $lines))
    (global.set $count (local.get $n))
    (global.set $unsorted (local.get $unsorted))
    (local.get $p))

  ;; Whether the 128-bit a is below b.
  (func $below (param $aHi i64) (param $aLo i64) (param $bHi i64) (param $bLo i64) (result i32)
    (i32.or (i64.lt_u (local.get $aHi) (local.get $bHi))
      (i32.and (i64.eq (local.get $aHi) (local.get $bHi)) (i64.lt_u (local.get $aLo) (local.get $bLo)))))

  ;; Whether a range starting at a touches or overlaps one ending (inclusive) at e: a <= e + 1.
  (func $touches (param $aHi i64) (param $aLo i64) (param $eHi i64) (param $eLo i64) (result i32)
    (if (result i32) (i32.eqz (call $below (local.get $eHi) (local.get $eLo) (local.get $aHi) (local.get $aLo)))
      (then (i32.const 1))
      ;; a > e, so a is not 0: touching means a - 1 = e.
      (else
        (i32.and
          (i64.eq (i64.sub (local.get $aLo) (i64.const 1)) (local.get $eLo))
          (i64.eq (i64.sub (local.get $aHi) (i64.extend_i32_u (i64.eqz (local.get $aLo)))) (local.get $eHi))))))

  ;; The decimal text of each octet value v, for formatIpv4Cidrs: 4 bytes at $DECIMALS + 4v hold
  ;; its digits then '.', and the byte at $LENGTHS + v how many of those bytes that is. Filled by
  ;; the start function; the JavaScript side keeps its text after them (read-lines.ts, WASM_TEXT).
  (global $DECIMALS i32 (i32.const 524288))
  (global $LENGTHS i32 (i32.const 525312))
  (start $fillTables)
  (func $fillTables
    (local $v i32) (local $text i32) (local $length i32)
    (call $fillHex)
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
