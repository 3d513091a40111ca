import { integer } from "drizzle-orm/sqlite-core";

/** Every timestamp is stored as integer milliseconds since the epoch (UTC) and rendered as ISO-8601 `Z`. */
export const ms = (name: string) => integer(name, { mode: "number" });

export const timestamps = {
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
};
