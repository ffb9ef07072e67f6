import { Resvg } from '@resvg/resvg-js';

/** The edition's logo as a PNG, next to the SVG: what the emails show (Gmail and Outlook show no SVG). */
export const EDITION_LOGO_PNG = 'edition-logo.png';

/**
 * Renders the edition's SVG logo to a PNG at build time (local runtime, deploy), with resvg: 112 px wide for
 * a 56 px header at twice the density. No system fonts: a logo's text must be drawn as paths to look the
 * same everywhere. Never imported by a function: the PNG is a static file of the site.
 */
export function logoPng(svg: string, width = 112): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } })
    .render()
    .asPng();
}
