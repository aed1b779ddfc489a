/**
 * Language: every UI string in English and Chinese, from string catalogues (one file per
 * group of views under static/js/strings/), switchable at any time. No view hard-codes a
 * string: it calls t(key) and re-renders on the bus's 'language' event.
 * Elements with data-i18n="key" get their text replaced; data-i18n-title, data-i18n-aria and
 * data-i18n-placeholder set those attributes.
 */
import core from './strings/core.js';
import detail from './strings/detail.js';
import surface from './strings/surface.js';

const CATALOGUE = { en: {}, zh: {} };
for (const group of [core, detail, surface]) {
  Object.assign(CATALOGUE.en, group.en);
  Object.assign(CATALOGUE.zh, group.zh);
}

export const LANGUAGES = ['en', 'zh'];

/** Holds the current language; one instance is shared through the page's context. */
export class I18n {
  /** @param {string} lang 'en' or 'zh' */
  constructor(lang) {
    this.lang = LANGUAGES.includes(lang) ? lang : 'en';
  }

  /** @returns {string} 'zh' if the browser prefers Chinese, else 'en' */
  static browserDefault() {
    const langs = navigator.languages ?? [navigator.language ?? 'en'];
    return langs.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
  }

  /**
   * Translate a key, filling {name} placeholders from params.
   * @param {string} key
   * @param {Record<string, string|number>} [params]
   */
  t(key, params = {}) {
    const text = CATALOGUE[this.lang][key] ?? CATALOGUE.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  }

  /**
   * Apply the catalogue to every element below root that carries data-i18n* attributes.
   * @param {ParentNode} root
   */
  apply(root = document) {
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = this.t(el.dataset.i18n); });
    root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = this.t(el.dataset.i18nTitle); });
    root.querySelectorAll('[data-i18n-aria]').forEach((el) => {
      el.setAttribute('aria-label', this.t(el.dataset.i18nAria));
    });
    root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
      el.placeholder = this.t(el.dataset.i18nPlaceholder);
    });
    document.documentElement.lang = this.lang === 'zh' ? 'zh-CN' : 'en';
  }

  /** @returns {string[]} every key of the catalogue (for tests) */
  static keys() {
    return Object.keys(CATALOGUE.en);
  }
}
