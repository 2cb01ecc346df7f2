// Forms that are shorthand for other forms, rewritten by the expander after macro
// expansion so lowering only sees the core forms:
//   (when C B...)          -> (if C (progn B...))
//   (unless C B...)        -> (if C 0 (progn B...))
//   (incf P [D])           -> (setf P (+ P D))       (decf: -)  unless P is (getmap ...),
//                                                     which is an atomic add in lowering
//   (1+ X), (1- X)         -> (+ X 1), (- X 1)
//   (when-let ((V I)...) B...) -> nested (let ((V I)) (when V ...))
//   (if-let (V I) THEN [ELSE]) -> (let ((V I)) (if V THEN ELSE))
// A user macro of the same name takes precedence (the expander looks macros up first).
#pragma once

#include "compiler/diagnostics.h"
#include "compiler/reader/datum.h"

namespace xdpchain::compiler {

// The rewritten form, or nullptr when `form` is not one of these (or after reporting a
// malformed one; check diags.has_errors()).
DatumPtr desugar(const Datum &form, Diagnostics &diags);

} // namespace xdpchain::compiler
