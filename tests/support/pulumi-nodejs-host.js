/**
 * Runs a Pulumi TypeScript program the way Pulumi's Node.js language host does, under mocks:
 * started in the program's folder (the working directory), the entry taken from `main` in its
 * Pulumi.yaml, compiled by ts-node with the program's own tsconfig.json and type-checked, its
 * packages resolved from that folder. Prints one JSON line: the registered resources (type and
 * name) and the stack outputs.
 * Usage (cwd = the program's folder): node pulumi-nodejs-host.js <stack>
 * https://www.pulumi.com/docs/iac/concepts/projects/project-file/ (main, runtime options)
 * https://www.pulumi.com/docs/iac/languages-sdks/javascript/ (TypeScript through ts-node, tsconfig.json)
 */
const fs = require("node:fs");
const path = require("node:path");
const { parse } = require("yaml");

async function main() {
  const root = process.cwd();
  const stack = process.argv[2] ?? "dev";
  const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
  const typescript = project.runtime?.options?.typescript !== false;
  const tsconfig = path.join(root, "tsconfig.json");
  if (typescript) require("ts-node").register({ project: fs.existsSync(tsconfig) ? tsconfig : undefined, skipProject: !fs.existsSync(tsconfig), typeCheck: true });
  const fromProgram = (name) => require(require.resolve(name, { paths: [root] }));
  const pulumi = fromProgram("@pulumi/pulumi");
  const settings = fromProgram("@pulumi/pulumi/runtime/settings");
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  const config = fs.existsSync(stackFile) ? parse(fs.readFileSync(stackFile, "utf8"))?.config ?? {} : {};
  const resources = [];
  const arn = (type, name) => type.startsWith("aws:cloudwatch/eventBus") ? `arn:aws:events:eu-west-1:123456789012:event-bus/${name}` : `arn:aws:mock:eu-west-1:123456789012:${name}`;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name });
        const name = args.inputs.name ?? args.name;
        const url = args.type === "aws:sqs/queue:Queue" ? { url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}` } : {};
        return { id: name, state: { ...args.inputs, name, arn: arn(args.type, name), ...url } };
      },
      call: (args) => ({ accountId: "123456789012", region: "eu-west-1", name: "eu-west-1", partition: "aws", dnsSuffix: "amazonaws.com", arn: arn(args.token.replace(/get(\w+)$/, "$1"), args.inputs.name), ...args.inputs }),
    },
    project.name,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries({ "aws:region": "eu-west-1", ...config }).map(([k, v]) => [k.includes(":") ? k : `${project.name}:${k}`, typeof v === "string" ? v : JSON.stringify(v)])));
  const entry = path.resolve(root, project.main ?? ".");
  const program = require(entry);
  for (let seen = -1; seen !== resources.length; ) {
    seen = resources.length;
    await settings.waitForRPCs();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const outputs = {};
  for (const [key, value] of Object.entries(program)) outputs[key] = pulumi.Output.isInstance(value) ? await new Promise((resolve) => value.apply(resolve)) : value;
  process.stdout.write(`\n${JSON.stringify({ resources, outputs })}\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
