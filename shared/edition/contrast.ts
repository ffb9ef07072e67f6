/**
 * WCAG 2.2 colour contrast, for an edition's colours. The formula is ten lines of the standard
 * (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance): written here rather than taken from a library so
 * that shared/ stays free of a dependency for it, and so that the validator and the tests use the very same
 * numbers. Colours are `#rrggbb`.
 */

/** Text of normal size (WCAG 1.4.3, AA). */
export const TEXT_MINIMUM = 4.5;
/** Large text, borders of controls, focus indicators (WCAG 1.4.3 large text and 1.4.11, AA). */
export const NON_TEXT_MINIMUM = 3;

export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** Relative luminance of an sRGB colour, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  if (!HEX_COLOUR.test(hex)) throw new Error(`Not a #rrggbb colour: ${hex}`);
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Contrast ratio of two colours, 1 to 21, whichever is lighter. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

/** The colours an edition sets: the site's stylesheet reads them as CSS custom properties. */
export interface EditionColours {
  /** Header background, buttons, links on white (`--brand`). */
  primary: string;
  /** Hover of buttons, text on the tint, emphasised links (`--brand-dark`). */
  primaryDark: string;
  /** Pale background of highlighted blocks (`--brand-tint`). */
  primaryTint: string;
  /** Text and icons on `primary` and on `primaryDark` (`--on-primary`). */
  onPrimary: string;
  /** Keyboard focus outline on the page (`--focus`). */
  focus: string;
}

/** The page's background: the stylesheet keeps it white whatever the edition. */
export const PAPER = '#ffffff';

export interface ColourPair {
  foreground: keyof EditionColours;
  /** Another colour of the edition, or the page's white. */
  background: keyof EditionColours | 'paper';
  minimum: number;
  /** What the pair is used for, in French, for the error message. */
  usage: string;
}

/** Every pair the stylesheet draws, with the minimum WCAG AA asks of it. */
export const COLOUR_PAIRS: readonly ColourPair[] = [
  {
    foreground: 'onPrimary',
    background: 'primary',
    minimum: TEXT_MINIMUM,
    usage: 'texte de l’en-tête et des boutons',
  },
  {
    foreground: 'onPrimary',
    background: 'primaryDark',
    minimum: TEXT_MINIMUM,
    usage: 'texte des boutons survolés',
  },
  { foreground: 'primary', background: 'paper', minimum: TEXT_MINIMUM, usage: 'liens sur fond blanc' },
  {
    foreground: 'primaryDark',
    background: 'paper',
    minimum: TEXT_MINIMUM,
    usage: 'liens survolés et bouton d’action sur fond blanc',
  },
  {
    foreground: 'primaryDark',
    background: 'primaryTint',
    minimum: TEXT_MINIMUM,
    usage: 'texte sur fond teinté',
  },
  {
    foreground: 'primary',
    background: 'primaryTint',
    minimum: NON_TEXT_MINIMUM,
    usage: 'bordures des blocs teintés',
  },
  {
    foreground: 'focus',
    background: 'paper',
    minimum: NON_TEXT_MINIMUM,
    usage: 'contour du focus clavier',
  },
];

export interface ContrastProblem {
  /** The foreground colour's key, where the message belongs. */
  field: keyof EditionColours;
  ratio: number;
  message: string;
}

/** Rounded down, so a pair just below the minimum never reads as meeting it. */
const ratioText = (ratio: number) => (Math.floor(ratio * 100) / 100).toFixed(2).replace('.', ',');

/**
 * The pairs of `colours` below WCAG AA, each with a French message. Colours that are not `#rrggbb` are
 * the schema's to report: the pairs using them are skipped.
 */
export function contrastProblems(colours: EditionColours): ContrastProblem[] {
  const value = (key: keyof EditionColours | 'paper') => (key === 'paper' ? PAPER : colours[key]);
  const problems: ContrastProblem[] = [];
  for (const pair of COLOUR_PAIRS) {
    const foreground = value(pair.foreground);
    const background = value(pair.background);
    if (!HEX_COLOUR.test(foreground) || !HEX_COLOUR.test(background)) continue;
    const ratio = contrastRatio(foreground, background);
    if (ratio + 1e-9 < pair.minimum) {
      const against = pair.background === 'paper' ? 'le blanc de la page' : pair.background;
      problems.push({
        field: pair.foreground,
        ratio,
        message: `Contraste insuffisant entre ${pair.foreground} (${foreground}) et ${against} (${background}) : ${ratioText(ratio)}:1, il faut au moins ${ratioText(pair.minimum)}:1 (WCAG AA, ${pair.usage})`,
      });
    }
  }
  return problems;
}
