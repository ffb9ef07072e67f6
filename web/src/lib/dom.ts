type Child = Node | string | number | null | undefined | false;
type AttributeValue = string | number | boolean | null | undefined;

/** Builds an element; text children become text nodes (never HTML), `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, AttributeValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...childNodes(children));
  return element;
}

function childNodes(children: Child[]): (Node | string)[] {
  const nodes: (Node | string)[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    nodes.push(typeof child === 'number' ? String(child) : child);
  }
  return nodes;
}

/** The element with this id; the pages are static, so a missing one is a build mistake. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`Missing #${id}`);
  return element as T;
}

/** Replaces the content of `element`. */
export function fill(element: Element, ...children: Child[]): void {
  element.replaceChildren(...childNodes(children));
}
