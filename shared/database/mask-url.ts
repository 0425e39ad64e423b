/** A connection string safe to print: the password replaced by "****". */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    // Not a URL (key=value form): mask any password=... pair.
    return url.replace(/(password\s*=\s*)(\S+)/gi, '$1****');
  }
}
