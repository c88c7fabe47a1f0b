// Turn the TypeScript models of the custom resources into strict JSON schemas.
//
// The @kubernetes-models packages are generated from the controllers' Go types, so their
// interfaces list every field a resource may have. Their own validators accept unknown
// fields, though, and a misspelled field (`automatd:` for `automated:`) is exactly the
// mistake a reviewer misses. This script walks each root interface with the TypeScript
// type checker and writes a JSON schema per kind in which every object lists its
// properties and forbids any other (`additionalProperties: false`) unless the Go type is
// a map. Empty interfaces (RawExtension, apiextensions JSON) stand for free-form values.
//
// Usage: node generate-schemas.mjs OUT_DIR   (run from the directory holding node_modules)

import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

// [package subpath, apiVersion, kind]; the interface is `I<kind>`.
const ROOTS = [
  ["@kubernetes-models/argo-cd/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "Application"],
  ["@kubernetes-models/argo-cd/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "ApplicationSet"],
  ["@kubernetes-models/argo-cd/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "AppProject"],
  ["@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "Rollout"],
  ["@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "AnalysisTemplate"],
  [
    "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1",
    "argoproj.io/v1alpha1",
    "ClusterAnalysisTemplate",
  ],
  ["@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "AnalysisRun"],
  ["@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1", "argoproj.io/v1alpha1", "Experiment"],
  ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", "monitoring.coreos.com/v1", "ServiceMonitor"],
  ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", "monitoring.coreos.com/v1", "PodMonitor"],
  ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", "monitoring.coreos.com/v1", "PrometheusRule"],
  ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", "monitoring.coreos.com/v1", "Probe"],
  ["@kubernetes-models/keda/keda.sh/v1alpha1", "keda.sh/v1alpha1", "ScaledObject"],
  ["@kubernetes-models/keda/keda.sh/v1alpha1", "keda.sh/v1alpha1", "ScaledJob"],
  ["@kubernetes-models/keda/keda.sh/v1alpha1", "keda.sh/v1alpha1", "TriggerAuthentication"],
  ["@kubernetes-models/keda/keda.sh/v1alpha1", "keda.sh/v1alpha1", "ClusterTriggerAuthentication"],
];

const outDir = path.resolve(process.argv[2] ?? "schemas");
const entry = path.resolve("__roots__.ts");
const source = ROOTS.map(
  ([module, , kind], index) => `import type { I${kind} as R${index} } from "${module}";\nexport type Root${index} = R${index};`,
).join("\n");

const options = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
};
const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const fileExists = host.fileExists.bind(host);
const getSourceFile = host.getSourceFile.bind(host);
host.readFile = (name) => (path.resolve(name) === entry ? source : readFile(name));
host.fileExists = (name) => path.resolve(name) === entry || fileExists(name);
host.getSourceFile = (name, version, onError, create) =>
  path.resolve(name) === entry
    ? ts.createSourceFile(name, source, version, true)
    : getSourceFile(name, version, onError, create);

const program = ts.createProgram([entry], options, host);
const problems = ts.getPreEmitDiagnostics(program);
if (problems.length > 0) {
  for (const problem of problems) {
    console.error(ts.flattenDiagnosticMessageText(problem.messageText, "\n"));
  }
  process.exit(1);
}
const checker = program.getTypeChecker();
const rootFile = program.getSourceFile(entry);
const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(rootFile));

function convert(type, defs) {
  const flags = type.flags;
  if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
  if (flags & ts.TypeFlags.StringLiteral) return { type: "string", const: type.value };
  if (flags & ts.TypeFlags.NumberLiteral) return { type: "number", const: type.value };
  if (flags & ts.TypeFlags.BooleanLiteral) return { type: "boolean", const: checker.typeToString(type) === "true" };
  if (flags & ts.TypeFlags.String) return { type: "string" };
  if (flags & ts.TypeFlags.Number) return { type: "number" };
  if (flags & ts.TypeFlags.Boolean) return { type: "boolean" };
  if (flags & ts.TypeFlags.Null) return { type: "null" };
  if (type.isUnion()) {
    const members = type.types.filter((member) => !(member.flags & ts.TypeFlags.Undefined));
    const literals = members.filter((member) => member.flags & ts.TypeFlags.BooleanLiteral);
    const rest = members.filter((member) => !(member.flags & ts.TypeFlags.BooleanLiteral));
    const options = rest.map((member) => convert(member, defs));
    if (literals.length === 2) options.push({ type: "boolean" });
    else for (const literal of literals) options.push(convert(literal, defs));
    return options.length === 1 ? options[0] : { anyOf: options };
  }
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    const [item] = checker.getTypeArguments(type);
    return { type: "array", items: item ? convert(item, defs) : {} };
  }
  if (flags & ts.TypeFlags.Object) {
    const name = definitionName(type);
    if (name && defs[name] !== undefined) return { $ref: `#/$defs/${name}` };
    if (name) defs[name] = {}; // reserve the name first: the types are recursive
    const schema = objectSchema(type, defs);
    if (!name) return schema;
    defs[name] = schema;
    return { $ref: `#/$defs/${name}` };
  }
  throw new Error(`no JSON schema for TypeScript type ${checker.typeToString(type)}`);
}

function definitionName(type) {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (!symbol || symbol.name.startsWith("__")) return undefined;
  const declaration = symbol.declarations?.[0];
  const file = declaration ? declaration.getSourceFile().fileName : "";
  const where = file.split("node_modules/").pop().replace(/\.d\.ts$/, "");
  return where.replace(/[^A-Za-z0-9]+/g, ".").replace(/^\.+|\.+$/g, "");
}

function objectSchema(type, defs) {
  const properties = {};
  const required = [];
  for (const property of checker.getPropertiesOfType(type)) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const propertyType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, declaration));
    properties[property.name] = convert(propertyType, defs);
    if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.name);
  }
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (Object.keys(properties).length === 0 && !index) return {}; // RawExtension, JSON: free-form
  const schema = { type: "object", properties };
  if (required.length > 0) schema.required = required;
  schema.additionalProperties = index ? convert(index.type, defs) : false;
  return schema;
}

fs.mkdirSync(outDir, { recursive: true });
ROOTS.forEach(([, apiVersion, kind], index) => {
  const symbol = exported.find((candidate) => candidate.name === `Root${index}`);
  const defs = {};
  const root = convert(checker.getDeclaredTypeOfSymbol(symbol), defs);
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `${apiVersion} ${kind}`,
    ...root,
    $defs: defs,
  };
  const file = path.join(outDir, `${apiVersion.replace("/", "_")}_${kind}.json`);
  fs.writeFileSync(file, `${JSON.stringify(schema, null, 1)}\n`);
});
console.log(`wrote ${ROOTS.length} schemas to ${outDir}`);
