;;; Ring-buffer event logger: one event per TCP packet with addresses, ports and length.
(defstruct pkt-event
  (src-addr u32)
  (dst-addr u32)
  (src-port u16)
  (dst-port u16)
  (len u32))

(defmap events :type :ringbuf :max-entries 4096)

(defprog logger (:type :xdp)
  (with-tcp (data data-end tcp)
    (with-ringbuf (e events (sizeof pkt-event))
      (setf (pkt-event-src-addr e) (ipv4-src-addr (+ data 14))
            (pkt-event-dst-addr e) (ipv4-dst-addr (+ data 14))
            (pkt-event-src-port e) (tcp-src-port tcp)
            (pkt-event-dst-port e) (tcp-dst-port tcp)
            (pkt-event-len e) (- data-end data))))
  XDP_PASS)
