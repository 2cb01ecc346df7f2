// One problem found in a manifest, with the file, position and key it is about. validate()
// collects all of them; the CLI prints each as "file:line:column: key 'k': message".
#pragma once

#include "common/error.h"
#include "manifests/manifest.h"

#include <string>
#include <vector>

namespace xdpchain::manifests {

// The class of a problem, for callers and tests that must not match on message text.
enum class Check {
  syntax,            // not YAML, or a document that is not a mapping
  unknown_key,       // a key the schema does not have
  duplicate_key,     // the same key twice in one mapping
  missing_key,       // a required key is not there
  wrong_type,        // e.g. a list where a number belongs
  bad_value,         // right type, value not allowed (mode 'fast', bad name)
  api_version,       // missing or unknown apiVersion
  kind,              // missing or unknown kind
  duplicate_name,    // two programs with one name in a chain
  missing_file,      // object or source file not there
  unknown_interface, // no such interface (in the manifest's network namespace)
  unknown_namespace, // no such network namespace
  too_many_programs, // more programs than the backend can chain
  priority_range,    // priority outside kMinPriority..kMaxPriority
  unknown_action,    // proceedOn names no XDP action
  conflict,          // impossible combination (object and source, one interface twice)
  convert,           // a step of convert() failed (compiling a source, caching the object)
};

struct Diagnostic {
  Check check;
  std::string file;
  Mark mark;
  std::string key; // "spec.programs[1].priority"; empty for the file or document itself
  std::string message;
  std::string hint; // optional advice, printed on its own line
};

// "file:line:column: key 'k': message"; file, position and key are left out when empty
// (messages that already name their place, such as YAML syntax errors).
std::string format(const Diagnostic &diagnostic);

// Every diagnostic on its own line, each followed by its "  hint: ..." line when it has one.
std::string format_all(const std::vector<Diagnostic> &diagnostics);

// All diagnostics in one Error (kind invalid_argument), one per line, for callers that
// only pass errors on.
Error to_error(const std::vector<Diagnostic> &diagnostics);

} // namespace xdpchain::manifests
