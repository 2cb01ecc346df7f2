// Validates Kubernetes YAML files against Kubernetes' own OpenAPI schemas, through the npm
// package kubernetes-models (installed for the test only, see ../CMakeLists.txt).
//   node validate.mjs FILE...   exit 0 when every document is valid, 1 otherwise
// It first checks that it rejects a DaemonSet whose containers are not a list, so a
// validator that accepts everything cannot pass.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";

const models = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "apps/v1/DaemonSet": DaemonSet,
};

function validate(object) {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

try {
  validate({
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "broken" },
    spec: { selector: {}, template: { spec: { containers: "agent" } } },
  });
  console.error("validator self-check: a broken DaemonSet was accepted");
  process.exit(1);
} catch (e) {
  // expected
}

let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`${file}: YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue;
    try {
      validate(object);
      checked++;
      console.log(`${file}: ${object.kind} ${object.metadata.name}: valid`);
    } catch (e) {
      failed++;
      console.error(`${file}: ${object.kind} ${object.metadata?.name}: ${e.message}`);
    }
  }
}
if (checked === 0) failed++;
process.exit(failed ? 1 : 0);
