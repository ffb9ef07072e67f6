/** What the site needs to know about its deployment, served next to the pages as /config.json. */
export interface SiteConfig {
  edition: string;
  apiBase: string;
  cognito: { region: string; userPoolId: string; clientId: string; endpoint?: string };
}

let pending: Promise<SiteConfig> | undefined;

export function loadConfig(): Promise<SiteConfig> {
  pending ??= fetch('/config.json', { cache: 'no-store' }).then(async (response) => {
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    return (await response.json()) as SiteConfig;
  });
  return pending;
}

/** Cognito's public endpoint, or the local emulator's. */
export function cognitoEndpoint(config: SiteConfig): string {
  return config.cognito.endpoint ?? `https://cognito-idp.${config.cognito.region}.amazonaws.com/`;
}
