;;; IPv4 with options: filters written with the packet macros find the TCP/UDP header
;;; after the options (IHL 5 to 15) and never match a header with IHL below 5, a version
;;; other than 4 or a later fragment. ip_options.c is the same in C, for clang.
(defmap seen :type :array :key-size 4 :value-size 8 :max-entries 4)

;; UDP/53 blocker; seen[0] is the TTL read through the IP header with-udp binds.
(defprog udp-block (:type :xdp)
  (with-udp (data data-end udp ip)
    (setf (getmap seen 0) (ipv4-ttl ip))
    (when (= (udp-dst-port udp) 53)
      (return XDP_DROP)))
  XDP_PASS)

;; SYNs to TCP port 22 are dropped.
(defprog tcp-block (:type :xdp)
  (with-tcp (data data-end tcp)
    (when (and (= (tcp-dst-port tcp) 22) (/= (logand (tcp-flags tcp) +tcp-syn+) 0))
      (return XDP_DROP)))
  XDP_PASS)

;; Packets from 192.0.2.1 are dropped; seen[1] is the header length of the last IPv4
;; packet.
(defprog ipv4-block (:type :xdp)
  (with-ipv4 (data data-end ip)
    (setf (getmap seen 1) (ipv4-header-len ip))
    (when (= (ipv4-src-addr ip) (htonl #xc0000201))
      (return XDP_DROP)))
  XDP_PASS)

;; The UDP/53 blocker again, with the expression form parse-udp.
(defprog udp-parse (:type :xdp)
  (when-let ((udp (parse-udp (ctx data) (ctx data-end))))
    (when (= (udp-dst-port udp) 53)
      (return XDP_DROP)))
  XDP_PASS)
