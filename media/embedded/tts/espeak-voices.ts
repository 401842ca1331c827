/**
 * Mapping from the voice and language names applications use (TwiML-style:
 * language "en-US", voice "man" / "woman" / "alice" / "Polly.Joanna" /
 * "Google.en-US-Standard-C") to an espeak-ng voice argument such as "en-us+f3".
 */

/** Language tag (lower case) -> espeak-ng voice. Tags not listed fall back to their primary language. */
const LANGUAGES: Record<string, string> = {
  en: 'en-us',
  'en-us': 'en-us',
  'en-gb': 'en-gb',
  'en-au': 'en-gb',
  'en-nz': 'en-gb',
  'en-ie': 'en-gb',
  'en-za': 'en-gb',
  'en-in': 'en-gb',
  'en-ca': 'en-us',
  fr: 'fr-fr',
  'fr-fr': 'fr-fr',
  'fr-ca': 'fr-fr',
  'fr-be': 'fr-be',
  'fr-ch': 'fr-ch',
  de: 'de',
  'de-de': 'de',
  'de-at': 'de',
  'de-ch': 'de',
  es: 'es',
  'es-es': 'es',
  'es-mx': 'es-419',
  'es-us': 'es-419',
  'es-419': 'es-419',
  it: 'it',
  'it-it': 'it',
  pt: 'pt',
  'pt-pt': 'pt',
  'pt-br': 'pt-br',
  nl: 'nl',
  'nl-nl': 'nl',
  'nl-be': 'nl',
  sv: 'sv',
  'sv-se': 'sv',
  da: 'da',
  'da-dk': 'da',
  nb: 'nb',
  'nb-no': 'nb',
  fi: 'fi',
  'fi-fi': 'fi',
  pl: 'pl',
  'pl-pl': 'pl',
  ru: 'ru',
  'ru-ru': 'ru',
  ja: 'ja',
  'ja-jp': 'ja',
  ko: 'ko',
  'ko-kr': 'ko',
  zh: 'cmn',
  'zh-cn': 'cmn',
  'cmn-cn': 'cmn',
  'zh-hk': 'yue',
  'zh-tw': 'cmn',
  ca: 'ca',
  'ca-es': 'ca',
  tr: 'tr',
  'tr-tr': 'tr',
  hi: 'hi',
  'hi-in': 'hi',
  ar: 'ar',
};

/**
 * Well-known female voice names (Twilio's "alice"/"woman", Amazon Polly and
 * Google voice names); any other named voice gets the male default.
 */
const FEMALE = new Set([
  'woman', 'alice', 'female', 'joanna', 'salli', 'kimberly', 'kendra', 'ivy', 'ruth', 'danielle', 'amy', 'emma',
  'nicole', 'olivia', 'aria', 'raveena', 'aditi', 'celine', 'céline', 'lea', 'léa', 'chantal', 'gabrielle',
  'marlene', 'vicki', 'conchita', 'lucia', 'lupe', 'mia', 'penelope', 'carla', 'bianca', 'ines', 'inês', 'vitoria',
  'vitória', 'camila', 'lotte', 'astrid', 'naja', 'liv', 'ewa', 'maja', 'tatyana', 'mizuki', 'takumi-f', 'seoyeon',
  'zhiyu', 'filiz', 'carmen', 'dora', 'lisa', 'laura', 'sofie', 'elin', 'suvi', 'ida', 'hannah', 'kajal',
]);

/** An espeak-ng voice given directly, e.g. voice="espeak:en-gb-scotland+f2". Letters, digits, - and + only. */
const RAW = /^espeak:([a-z0-9][a-z0-9-]{0,39}(\+[a-z0-9]{1,20})?)$/i;

/** The espeak-ng variant for a voice name: "+f3" (female), "" (male default). */
function variantFor(voice: string | undefined): string {
  if (voice === undefined || voice === '') return '';
  // "Polly.Joanna-Neural" -> "joanna"; "Google.en-US-Standard-C" has no name to go by.
  const name = voice.replace(/^(polly|google|azure)\./i, '').replace(/-(neural|standard|generative)$/i, '').toLowerCase();
  return FEMALE.has(name) ? '+f3' : '';
}

/** Language embedded in Google-style names, e.g. "Google.fr-FR-Wavenet-A" -> "fr-fr". */
function languageOfVoice(voice: string | undefined): string | undefined {
  const m = /^google\.([a-z]{2,3}-[a-z]{2})-/i.exec(voice ?? '');
  return m?.[1].toLowerCase();
}

export function espeakVoice(voice: string | undefined, language: string | undefined, fallback = 'en-us'): string {
  const raw = RAW.exec(voice ?? '');
  if (raw) return raw[1].toLowerCase();
  const tag = (language ?? languageOfVoice(voice) ?? '').toLowerCase().replace(/_/g, '-');
  const base = LANGUAGES[tag] ?? LANGUAGES[tag.split('-')[0]] ?? fallback;
  return base + variantFor(voice);
}
