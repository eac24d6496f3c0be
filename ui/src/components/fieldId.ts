// Turns a core field path such as `phones[1].number` into a stable DOM id for the input showing it.
export function fieldId(path: string): string {
  return `field-${path.replace(/[[\].]+/g, "-").replace(/-+$/, "")}`;
}
