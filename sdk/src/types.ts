import type { components, paths } from "./schema";

/** Types derived from the server's OpenAPI document (src/schema.d.ts, generated): never restated. */
export type Schemas = components["schemas"];
export type Paths = paths;

type Method = "get" | "post" | "put" | "patch" | "delete";
type Operation<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O } ? O : never;

/** The JSON body of an operation's 200 answer. */
export type ResponseOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    responses: { 200: { content: { "application/json": infer R } } };
  }
    ? R
    : never;

/** The JSON request body of an operation. */
export type BodyOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    requestBody?: { content: { "application/json": infer B } };
  }
    ? B
    : never;

/** The multipart request body of an operation (its fields). */
export type FormOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    requestBody?: { content: { "multipart/form-data": infer B } };
  }
    ? B
    : never;

export type QueryOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends {
    parameters: { query?: infer Q };
  }
    ? NonNullable<Q>
    : never;

/** The automation API's `data`, unwrapped from its `{code, msg, data}` envelope. */
export type DataOf<P extends keyof paths, M extends Method> =
  ResponseOf<P, M> extends { data: infer D } ? NonNullable<D> : never;

type CamelKey<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelKey<T>>}` : S;

/** Top-level keys in camelCase (`projectId`), as the README's JavaScript example writes them. */
export type Camelized<T> = T extends object
  ? { [K in keyof T as K extends string ? CamelKey<K> : K]: T[K] }
  : T;

/** Snake-case (as the API) or camelCase (as the README's SDK example) input. */
export type Input<T> = T | Camelized<T>;

export type ProgressFrame = Schemas["ProgressFrame"];
