;;; The packet library (VLAN, IPv6 extension headers, ICMP, ICMPv6, ARP, checksums): one
;;; program per macro, recording what it saw in `seen`. packet_lib.c is the same in C.
(defmap seen :type :array :key-size 4 :value-size 8 :max-entries 8)

;; seen: 0 tags, 1 outer VID, 2 inner VID, 3 EtherType inside the tags, 4 the first byte
;; after the tags. Frames of VLAN 13 are dropped.
(defprog vlan-tags (:type :xdp)
  (with-vlan (data data-end l3 type :vid vid :inner-vid ivid :tags tags :min-len 1)
    (setf (getmap seen 0) tags (getmap seen 1) vid (getmap seen 2) ivid
          (getmap seen 3) type (getmap seen 4) (load u8 l3 0))
    (when (= vid 13) (return XDP_DROP)))
  XDP_PASS)

;; seen: 0 upper-layer protocol, 1 its offset in the frame, 2 the hop limit. UDP to port
;; 53 is dropped; more than 6 extension headers abort.
(defprog ipv6-l4 (:type :xdp)
  (with-ipv6-l4 (data data-end l4 proto :ip6 ip6 :min-len 4 :too-deep (return XDP_ABORTED))
    (setf (getmap seen 0) proto (getmap seen 1) (- l4 data) (getmap seen 2) (ipv6-hop-limit ip6))
    (when (and (= proto +ip-proto-udp+) (= (udp-dst-port l4) 53))
      (return XDP_DROP)))
  XDP_PASS)

;; seen 5: the next header of the last IPv6 packet.
(defprog ipv6-hdr (:type :xdp)
  (with-ipv6 (data data-end ip6)
    (setf (getmap seen 5) (ipv6-nexthdr ip6))
    (when (= (load u8 (ipv6-dst-addr ip6) 15) 1) (return XDP_DROP)))
  XDP_PASS)

;; ICMP echo requests become replies: type 0, checksum updated for the 16-bit word.
(defprog icmp-reply (:type :xdp)
  (with-icmp (data data-end icmp ip)
    (setf (getmap seen 0) (icmp-echo-id icmp) (getmap seen 1) (ipv4-ttl ip))
    (when (= (icmp-type icmp) 8)
      (let ((old (load u16 icmp 0)))
        (store u8 icmp 0 0)
        (csum-update16 icmp 2 old (load u16 icmp 0)))
      (return XDP_TX)))
  XDP_PASS)

;; ICMPv6 echo requests (128) become replies (129), checksum updated.
(defprog icmp6-reply (:type :xdp)
  (with-icmpv6 (data data-end icmp6 ip6)
    (setf (getmap seen 0) (icmp-type icmp6) (getmap seen 1) (ipv6-hop-limit ip6))
    (when (= (icmp-type icmp6) 128)
      (let ((old (load u16 icmp6 0)))
        (store u8 icmp6 0 129)
        (csum-update16 icmp6 2 old (load u16 icmp6 0)))
      (return XDP_TX)))
  XDP_PASS)

;; seen: 0 operation, 1 sender IP, 2 target IP, 3 first byte of the sender MAC. Requests
;; for 10.0.0.66 are dropped.
(defprog arp-watch (:type :xdp)
  (with-arp (data data-end arp)
    (setf (getmap seen 0) (arp-op arp) (getmap seen 1) (arp-spa arp) (getmap seen 2) (arp-tpa arp)
          (getmap seen 3) (load u8 (arp-sha arp) 5))
    (when (and (= (arp-op arp) 1) (= (arp-tpa arp) (htonl #x0a000042))) (return XDP_DROP)))
  XDP_PASS)

;; UDP over IPv4: the destination address becomes 10.9.9.9, the IPv4 and UDP checksums
;; updated for the 32-bit change (a zero UDP checksum stays zero).
(defprog nat-dst (:type :xdp)
  (with-udp (data data-end udp ip)
    (let ((old (ipv4-dst-addr ip)) (new (htonl #x0a090909)))
      (store u32 ip 16 new)
      (csum-update32 ip 10 old new)
      (when (/= (load u16 udp 6) 0) (csum-update32 udp 6 old new)))
    (return XDP_TX))
  XDP_PASS)

;; ICMP: the checksum computed over the whole message (at most 256 bytes); seen 2 is the
;; sum before it was stored, seen 3 the IPv4 header's full checksum check (0 when valid).
(defprog icmp-full (:type :xdp)
  (with-icmp (data data-end icmp ip)
    (let ((len (- (ipv4-total-len ip) (ipv4-header-len ip))))
      (store u16 icmp 2 0)
      (let ((sum (csum-full icmp data-end len 256)))
        (setf (getmap seen 2) sum)
        (store u16 icmp 2 sum)))
    (setf (getmap seen 3) (csum-full ip data-end (ipv4-header-len ip) 60))
    (return XDP_TX))
  XDP_PASS)
