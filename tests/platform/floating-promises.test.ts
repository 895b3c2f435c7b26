// Every database call is asynchronous now (decision 0029). A call whose promise nobody awaits runs
// after the statement that follows it: inside a unit of work, after the commit (or on the next
// request's transaction); outside, its failure is an unhandled rejection. TypeScript does not
// catch a promise dropped on the floor, so this test does, with TypeScript's own type checker:
// an expression statement whose value is a promise must be awaited, returned, or marked `void`.
// In tests a dropped promise is worse: its assertions run after the test has passed, or never; so
// is `expect(promise).toEqual(…)`, which compares the promise, not what it resolves to.
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "../..");

function floatingPromises(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error("tsconfig.json could not be read");
  const files = config.fileNames.filter((f) => /\/(app|db|scripts|tests)\//.test(f));
  const program = ts.createProgram(files, config.options);
  const checker = program.getTypeChecker();
  // A Promise (what every async function returns); other thenables, such as a load generator that
  // is also an event emitter, are not what this guards.
  const isPromise = (node: ts.Expression) => checker.getTypeAtLocation(node).getSymbol()?.getName() === "Promise";
  const found: string[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!files.includes(sf.fileName)) continue;
    const visit = (node: ts.Node) => {
      if (ts.isExpressionStatement(node)) {
        const e = node.expression;
        const dropped = !ts.isVoidExpression(e) && !ts.isAwaitExpression(e) && (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e));
        if (dropped && isPromise(e)) {
          const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
          found.push(`${path.relative(ROOT, sf.fileName)}:${line + 1}: ${node.getText().slice(0, 80)}`);
        }
      }
      // forEach drops what its callback returns: an async callback's promises float.
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "forEach") {
        const callback = node.arguments[0];
        const sig = callback && checker.getTypeAtLocation(callback).getCallSignatures()[0];
        if (sig && checker.getReturnTypeOfSignature(sig).getSymbol()?.getName() === "Promise") {
          const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
          found.push(`${path.relative(ROOT, sf.fileName)}:${line + 1}: ${node.getText().slice(0, 80)} (forEach of an async callback)`);
        }
      }
      if (ts.isCallExpression(node) && node.expression.getText(sf) === "expect" && node.arguments.length > 0) {
        const settles = ts.isPropertyAccessExpression(node.parent) && /^(rejects|resolves)$/.test(node.parent.name.text);
        if (!settles && isPromise(node.arguments[0])) {
          const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
          found.push(`${path.relative(ROOT, sf.fileName)}:${line + 1}: ${node.getText().slice(0, 80)} (expect of a promise)`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

describe("promises", () => {
  it("no promise in app/, db/, scripts/ or tests/ is dropped without await (or an explicit void), and no test expects a promise itself", () => {
    expect(floatingPromises()).toEqual([]);
  }, 300_000); // type-checks the whole program: ~25 s alone, longer beside other test files
});
