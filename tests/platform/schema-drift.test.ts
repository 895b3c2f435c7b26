// The `Database` interface (db/schema.ts) is what every kysely query is typed by, and nothing else
// checks it: a column renamed in a migration but not there would type-check and fail at run time.
// This test reads the interface with TypeScript's checker and the migrated database with kysely's
// introspection (the same call on SQLite and PostgreSQL), and compares tables, columns, types,
// nullability and generated columns.
import path from "node:path";
import ts from "typescript";
import { engine } from "~/platform/database.server";

type Kind = "number" | "string" | "bytes";
interface Column {
  kind: Kind;
  nullable: boolean;
  generated: boolean;
}

const SCHEMA = path.resolve(import.meta.dirname, "../../db/schema.ts");

/** Every table of the Database interface, with each column's kind, nullability and whether inserts may omit it. */
function declared(): Map<string, Map<string, Column>> {
  const program = ts.createProgram([SCHEMA], { strict: true, skipLibCheck: true, types: ["node"] });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(SCHEMA)!;
  const symbol = checker.getSymbolAtLocation(file)!;
  const database = checker.getExportsOfModule(symbol).find((s) => s.name === "Database")!;
  const dbType = checker.getDeclaredTypeOfSymbol(database);
  const kindOf = (t: ts.Type, where: string): Kind => {
    if (t.flags & (ts.TypeFlags.NumberLike)) return "number";
    if (t.flags & ts.TypeFlags.StringLike) return "string";
    if (t.isUnion() && t.types.every((u) => u.flags & ts.TypeFlags.StringLike)) return "string";
    if (t.isUnion() && t.types.every((u) => u.flags & ts.TypeFlags.NumberLike)) return "number";
    const name = t.getSymbol()?.getName();
    if (name === "Buffer" || name === "Uint8Array") return "bytes";
    throw new Error(`${where}: no column kind for ${checker.typeToString(t)}`);
  };
  const tables = new Map<string, Map<string, Column>>();
  for (const table of checker.getPropertiesOfType(dbType)) {
    const columns = new Map<string, Column>();
    const tableType = checker.getTypeOfSymbol(table);
    for (const col of checker.getPropertiesOfType(tableType)) {
      const where = `${table.name}.${col.name}`;
      let t = checker.getTypeOfSymbol(col);
      // Generated<T> and ColumnType<S, I, U> are object types with __select__ / __insert__ keys.
      const select = t.getProperty("__select__");
      const insert = t.getProperty("__insert__");
      const generated = !!insert && checker.getTypeOfSymbol(insert).isUnion() && (checker.getTypeOfSymbol(insert) as ts.UnionType).types.some((u) => u.flags & ts.TypeFlags.Undefined);
      if (select) t = checker.getTypeOfSymbol(select);
      const parts = t.isUnion() ? t.types : [t];
      const nullable = parts.some((p) => p.flags & ts.TypeFlags.Null);
      const rest = parts.filter((p) => !(p.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
      const kinds = new Set(rest.map((p) => kindOf(p, where)));
      if (kinds.size !== 1) throw new Error(`${where}: mixed kinds ${[...kinds].join(", ")}`);
      columns.set(col.name, { kind: [...kinds][0], nullable, generated });
    }
    tables.set(table.name, columns);
  }
  return tables;
}

const KIND_OF_SQL: Record<string, Kind> = {
  integer: "number", int: "number", int4: "number", int8: "number", bigint: "number", real: "number", float8: "number", numeric: "number",
  float4: "number", // PostgreSQL's name for the landed migrations' `real`
  text: "string", varchar: "string", bpchar: "string",
  blob: "bytes", bytea: "bytes",
};

/** The migrated database's tables, as kysely's introspection reports them. */
async function migrated(): Promise<Map<string, Map<string, Column>>> {
  const tables = new Map<string, Map<string, Column>>();
  for (const t of await engine().writer.introspection.getTables()) {
    const columns = new Map<string, Column>();
    for (const c of t.columns) {
      const kind = KIND_OF_SQL[c.dataType.toLowerCase()];
      if (!kind) throw new Error(`${t.name}.${c.name}: unknown column type ${c.dataType}`);
      // SQLite reports an INTEGER PRIMARY KEY as nullable, but inserting null there assigns the next id.
      columns.set(c.name, { kind, nullable: c.isNullable && !c.isAutoIncrementing, generated: c.hasDefaultValue || c.isAutoIncrementing });
    }
    tables.set(t.name, columns);
  }
  return tables;
}

describe("schema drift", () => {
  it("the Database interface has exactly the migrated tables and columns, with their types and nullability, and omits on insert only what has a default", async () => {
    const want = declared();
    const have = await migrated();
    const problems: string[] = [];
    for (const name of new Set([...want.keys(), ...have.keys()])) {
      const w = want.get(name);
      const h = have.get(name);
      if (!w) problems.push(`table ${name} is in the database but not in the Database interface`);
      else if (!h) problems.push(`table ${name} is in the Database interface but not in the database`);
      else {
        for (const col of new Set([...w.keys(), ...h.keys()])) {
          const a = w.get(col);
          const b = h.get(col);
          if (!a) problems.push(`${name}.${col} is in the database but not in the interface`);
          else if (!b) problems.push(`${name}.${col} is in the interface but not in the database`);
          else {
            if (a.kind !== b.kind) problems.push(`${name}.${col}: interface says ${a.kind}, database ${b.kind}`);
            if (a.nullable !== b.nullable) problems.push(`${name}.${col}: interface ${a.nullable ? "allows" : "forbids"} null, database ${b.nullable ? "allows" : "forbids"} it`);
            // One way only: an interface may require what the database could default (the app always
            // says whether a member is the head), but must not let an insert omit a column without a default.
            if (a.generated && !b.generated) problems.push(`${name}.${col}: interface lets inserts omit it, but the database has no default`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
