;;; LPM-trie prefilter: drops IPv4 packets whose source lies in a listed prefix (the
;;; longest match wins: a rule's value says drop or allow) and counts hits per rule.
(defstruct ipv4-prefix
  (prefixlen u32)
  (addr u32))
(defstruct rule
  (action u32)
  (pad u32)
  (hits u64))

(defmap prefilter :type :lpm-trie :key-type ipv4-prefix :value-type rule :max-entries 1024)
;; 0: packets looked up, 1: matched a rule, 2: dropped
(defmap prefilter-stats :type :array :key-size 4 :value-size 8 :max-entries 3)
(defconstant +action-drop+ 1)

(defprog lpm-prefilter (:type :xdp)
  (with-ipv4 (data data-end ip)
    (incf (getmap prefilter-stats 0))
    (let ((key (make-ipv4-prefix)))
      (setf (ipv4-prefix-prefixlen key) 32
            (ipv4-prefix-addr key) (ipv4-src-addr ip))
      (when-let ((rule (map-lookup prefilter key)))
        (incf (getmap prefilter-stats 1))
        (atomic-add (rule-hits-ptr rule) 0 1)
        (when (= (rule-action rule) +action-drop+)
          (incf (getmap prefilter-stats 2))
          (return XDP_DROP)))))
  XDP_PASS)
