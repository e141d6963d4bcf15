/** Whether a build file is an image.ts (by its name), without loading image.ts support. */
export function isImageTs(path: string): boolean {
  return /\.[cm]?ts$/.test(path);
}
