(let* ((a (list 1 2 3)) (b (reverse (append a '(4)))))
  (cond ((> (length b) 3) `(x ,@b ,(nth 1 b) ,(apply #'+ b) ,(mapcar #'1+ a)))
        (t (list (symbol-name 'q) (gensym) (intern "Z") (assoc 'k '((k 1)))))))
