(defprog trace-exec (:type :kprobe :section "kprobe/sys_execve")
  0)
