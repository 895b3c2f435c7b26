export {};
// npm run migrate: brings the database (DATABASE_URL, else the file at DATABASE_PATH) to the latest schema.
const { engine, migrateToLatest, closeDatabase } = await import("../app/platform/database.server");
const applied = await migrateToLatest();
console.log(applied.length ? `已执行迁移：${applied.join(", ")}` : "数据库已是最新");
console.log(`数据库：${engine().location}`);
await closeDatabase();
