// The label of this browser's device token: "Chrome 131 on Linux", as the user would say it.

const PLATFORMS = [
  [/Android/i, "Android"],
  [/iPhone|iPad|iPod/i, "iOS"],
  [/CrOS/i, "ChromeOS"],
  [/Mac OS X|Macintosh/i, "macOS"],
  [/Windows/i, "Windows"],
  [/Linux/i, "Linux"],
];

const BROWSERS = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/OPR\/(\d+)/, "Opera"],
  [/Firefox\/(\d+)/, "Firefox"],
  [/FxiOS\/(\d+)/, "Firefox"],
  [/CriOS\/(\d+)/, "Chrome"],
  [/(?:Headless)?Chrome\/(\d+)/, "Chrome"],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari/, "Safari"],
];

/** "Firefox 133 on Windows (web app)", at most 100 characters (the hub's limit for a label). */
export function deviceLabel(userAgent = navigator.userAgent) {
  let browser = "A browser";
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(userAgent);
    if (match) {
      browser = `${name} ${match[1]}`;
      break;
    }
  }
  const platform = PLATFORMS.find(([pattern]) => pattern.test(userAgent));
  const label = `${browser}${platform ? ` on ${platform[1]}` : ""} (web app)`;
  return label.slice(0, 100);
}
