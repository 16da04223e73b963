/**
 * The navigation: every file in screens/ that exports `screen` is a page. Adding a screen is
 * adding one file; nothing else needs to know about it.
 */
import type { ComponentType } from "preact";

export interface ScreenDef {
  /** URL path, e.g. "/channels"; "/" is the landing screen. */
  path: string;
  /** Navigation label and page heading. */
  title: string;
  /** Position in the navigation, ascending. */
  order: number;
  component: ComponentType;
}

const modules = import.meta.glob<{ screen: ScreenDef }>("../screens/*.tsx", { eager: true });

export const screens: ScreenDef[] = Object.values(modules)
  .map((m) => m.screen)
  .filter((s): s is ScreenDef => s !== undefined)
  .sort((a, b) => a.order - b.order);

export function screenFor(path: string): ScreenDef | undefined {
  const clean = path.replace(/\/+$/, "") || "/";
  return screens.find((s) => s.path === clean);
}
