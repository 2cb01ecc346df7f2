;;; Connection tracker with timestamps: a TCP flow is created by a SYN, then every packet
;;; updates its last-seen time (bpf_ktime_get_ns), packet and byte counts and the union of
;;; its TCP flags; an RST ends it. Packets of unknown flows that are not a SYN are dropped.
(defstruct flow
  (saddr u32)
  (daddr u32)
  (sport u16)
  (dport u16)
  (proto u8)
  (pad1 u8)
  (pad2 u16))
(defstruct ct-entry
  (first-seen u64)
  (last-seen u64)
  (packets u64)
  (bytes u64)
  (seen-flags u32)
  (pad u32))

(defmap connections :type :lru-hash :key-type flow :value-type ct-entry :max-entries 65536)
;; 0: flows created, 1: packets of known flows, 2: dropped (no flow), 3: flows reset
(defmap ct-stats :type :array :key-size 4 :value-size 8 :max-entries 4)

(defmacro ct-count (slot) `(incf (getmap ct-stats ,slot)))

(defprog conntrack (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((ip (+ data 14))
          (key (make-flow))
          (now (ktime-get-ns))
          (len (- data-end data))
          (flags (tcp-flags tcp)))
      (setf (flow-saddr key) (ipv4-src-addr ip)
            (flow-daddr key) (ipv4-dst-addr ip)
            (flow-sport key) (load u16 tcp 0)
            (flow-dport key) (load u16 tcp 2)
            (flow-proto key) +ip-proto-tcp+)
      (if-let (ct (map-lookup connections key))
        (progn
          (ct-count 1)
          (setf (ct-entry-last-seen ct) now
                (ct-entry-seen-flags ct) (logior (ct-entry-seen-flags ct) flags))
          (atomic-add (ct-entry-packets-ptr ct) 0 1)
          (atomic-add (ct-entry-bytes-ptr ct) 0 len)
          (when (/= (logand flags +tcp-rst+) 0)
            (map-delete connections key)
            (ct-count 3)))
        (if (= (logand flags (logior +tcp-syn+ +tcp-ack+)) +tcp-syn+)
            (let ((entry (make-ct-entry)))
              (setf (ct-entry-first-seen entry) now
                    (ct-entry-last-seen entry) now
                    (ct-entry-packets entry) 1
                    (ct-entry-bytes entry) len
                    (ct-entry-seen-flags entry) flags)
              (map-update connections key entry BPF_NOEXIST)
              (ct-count 0))
            (progn (ct-count 2)
                   (return XDP_DROP))))))
  XDP_PASS)
