import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Expands the paths given on the command line: files as given (whatever their name), folders
 * recursively (only files that look like event data, in sorted order so output is repeatable).
 * `-` means standard input.
 */
export type InputSource = { readonly kind: "stdin" } | { readonly kind: "file"; readonly path: string };

export interface PathProblem {
  readonly path: string;
  readonly reason: string;
}

const EVENT_FILE = /\.(json|jsonl|ndjson)(\.gz)?$|\.gz$/i;

export async function expandInputPaths(paths: readonly string[]): Promise<{ sources: InputSource[]; problems: PathProblem[] }> {
  const sources: InputSource[] = [];
  const problems: PathProblem[] = [];
  for (const path of paths) {
    if (path === "-") {
      sources.push({ kind: "stdin" });
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) {
        const files = await listEventFiles(path);
        if (files.length === 0) problems.push({ path, reason: "folder holds no .json, .jsonl or .gz files" });
        for (const file of files) sources.push({ kind: "file", path: file });
      } else {
        sources.push({ kind: "file", path });
      }
    } catch (error) {
      problems.push({ path, reason: describeFsError(error) });
    }
  }
  return { sources, problems };
}

async function listEventFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listEventFiles(full)));
    else if (entry.isFile() && EVENT_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a folder";
  return (error as Error).message;
}
