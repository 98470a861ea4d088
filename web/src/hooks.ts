import { useCallback, useEffect, useState } from "react";
import { formatFragment, parseFragment, type PageState } from "./lib/fragment";

/** The page state in the URL fragment, kept in step with back/forward and pasted links. */
export function useFragment(): [PageState, (next: Partial<PageState>) => void] {
  const [state, setState] = useState(() => parseFragment(window.location.hash));
  useEffect(() => {
    const onChange = () => setState(parseFragment(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  const update = useCallback((next: Partial<PageState>) => {
    const merged = { ...parseFragment(window.location.hash), ...next };
    window.location.hash = formatFragment(merged);
  }, []);
  return [state, update];
}

/** A link to another view keeping the token (and the date). */
export function hrefFor(state: PageState, next: Partial<PageState>): string {
  return formatFragment({ ...state, ...next });
}
