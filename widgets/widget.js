/*
 * Switchboard chat widget. Plain JS, no build step, no dependencies.
 *   <script src="https://<switchboard>/widget.js" data-site-key="sk_..." async></script>
 * Options: data-color, data-position (right|left), data-greeting, data-locale, data-title.
 * Outside the workspace's business hours it says when the team is back and asks for an e-mail address; visitors can
 * send images and PDFs (the paperclip), shown in the log with those of agents.
 * JS API (window.Switchboard): open(), close(), identify({id, name, email, hash, attributes}), reset(); calls queued on a stub
 * (Switchboard = Switchboard || function () { (Switchboard.q = Switchboard.q || []).push(arguments) }) run on load.
 * Everything renders in a closed shadow root of a <switchboard-chat> element whose styles start from `all: initial`,
 * so no rule of the host page reaches it (selectors stop at the shadow boundary, inheritance at the reset root).
 * Untrusted text only ever goes through textContent / DOM nodes.
 */
(() => {
  'use strict';
  const script = document.currentScript;
  const siteKey = script && script.dataset.siteKey;
  if (!siteKey || (window.Switchboard && window.Switchboard.version)) return;
  const ds = script.dataset;
  const base = new URL(script.src).origin;
  // System notices (waiting, joined, handoff by reason) follow the locale: the server stores the handoff notice in
  // English, and the status change right after it names the reason, which picks the translation here.
  const STRINGS = {
    en: {
      title: 'Chat with us', open: 'Open chat', close: 'Close chat', input: 'Message', send: 'Send',
      greeting: 'Hi! How can we help you today?', typing: 'Typing…', you: 'You', bot: 'Assistant',
      joined: '{} joined the conversation', waiting: 'Waiting for an agent…', agent: 'Agent',
      unavailable: 'The chat is unavailable right now. Please try again later.', resolved: 'Conversation resolved',
      retry: 'Too many messages. Please try again {}.',
      rate: 'How did we do?', star: '{} of 5', thanks: 'Thank you for your rating!', comment: 'Anything to add? (optional)',
      sendComment: 'Send comment', done: 'Thank you for your feedback!', log: 'Conversation',
      away: 'We’re away right now. We’re back {}.', awayNoReturn: 'We’re away right now.',
      leaveEmail: 'Leave your e-mail address and we’ll reply as soon as we’re back.', email: 'E-mail address',
      sendEmail: 'Send', emailThanks: 'Thanks! We’ll reply to {}.', replyIn: 'Typically replies {}',
      attach: 'Send a file', tooLarge: 'That file is too large.', badType: 'Only images and PDF files can be sent.',
      offer: 'I’m not sure I understood. Is your question one of these?', none: 'None of these: talk to a person',
      noneSend: 'I would like to talk to a person.',
    },
    de: {
      title: 'Chatten Sie mit uns', open: 'Chat öffnen', close: 'Chat schließen', input: 'Nachricht', send: 'Senden',
      greeting: 'Hallo! Wie können wir helfen?', typing: 'Schreibt…', you: 'Sie', bot: 'Assistent',
      joined: '{} ist dem Gespräch beigetreten', waiting: 'Wartet auf einen Mitarbeiter…', agent: 'Mitarbeiter',
      unavailable: 'Der Chat ist gerade nicht erreichbar. Bitte später erneut versuchen.', resolved: 'Gespräch erledigt',
      retry: 'Zu viele Nachrichten. Bitte versuchen Sie es {} erneut.',
      rate: 'Wie zufrieden waren Sie?', star: '{} von 5', thanks: 'Danke für Ihre Bewertung!',
      comment: 'Möchten Sie etwas ergänzen? (optional)', sendComment: 'Kommentar senden',
      done: 'Danke für Ihr Feedback!', log: 'Gespräch',
      away: 'Wir sind gerade nicht da. Wir sind {} wieder da.', awayNoReturn: 'Wir sind gerade nicht da.',
      leaveEmail: 'Hinterlassen Sie Ihre E-Mail-Adresse, wir antworten, sobald wir zurück sind.',
      email: 'E-Mail-Adresse', sendEmail: 'Senden', emailThanks: 'Danke! Wir antworten an {}.',
      replyIn: 'Antwortet meist {}', attach: 'Datei senden', tooLarge: 'Die Datei ist zu groß.',
      badType: 'Nur Bilder und PDF-Dateien können gesendet werden.',
      offer: 'Ich bin nicht sicher, ob ich Sie richtig verstehe. Meinen Sie eine dieser Fragen?',
      none: 'Nichts davon: mit einem Mitarbeiter sprechen', noneSend: 'Ich möchte mit einem Mitarbeiter sprechen.',
      soon: 'Ein Mitarbeiter antwortet Ihnen hier in Kürze.',
      handoff: {
        outside_business_hours: 'Unser Team ist gerade nicht da.',
        customer_request: 'Ein Mitarbeiter übernimmt dieses Gespräch.',
        missing_knowledge: 'Darauf habe ich keine Antwort.',
        low_confidence: 'Da bin ich mir nicht sicher.',
        inference_unavailable: 'Unser Assistent kann gerade nicht antworten.',
      },
    },
    es: {
      title: 'Chatee con nosotros', open: 'Abrir chat', close: 'Cerrar chat', input: 'Mensaje', send: 'Enviar',
      greeting: '¡Hola! ¿En qué podemos ayudarle?', typing: 'Escribiendo…', you: 'Usted', bot: 'Asistente',
      joined: '{} se ha unido a la conversación', waiting: 'Esperando a un agente…', agent: 'Agente',
      unavailable: 'El chat no está disponible ahora. Inténtelo más tarde.', resolved: 'Conversación resuelta',
      retry: 'Demasiados mensajes. Inténtelo de nuevo {}.',
      rate: '¿Qué tal lo hicimos?', star: '{} de 5', thanks: '¡Gracias por su valoración!',
      comment: '¿Algo que añadir? (opcional)', sendComment: 'Enviar comentario',
      done: '¡Gracias por sus comentarios!', log: 'Conversación',
      away: 'Ahora no estamos. Volvemos {}.', awayNoReturn: 'Ahora no estamos.',
      leaveEmail: 'Deje su correo electrónico y le responderemos en cuanto volvamos.',
      email: 'Correo electrónico', sendEmail: 'Enviar', emailThanks: '¡Gracias! Responderemos a {}.',
      replyIn: 'Suele responder {}', attach: 'Enviar un archivo', tooLarge: 'El archivo es demasiado grande.',
      badType: 'Solo se pueden enviar imágenes y archivos PDF.',
      offer: 'No estoy seguro de haberle entendido. ¿Su pregunta es una de estas?',
      none: 'Ninguna: hablar con un agente', noneSend: 'Quiero hablar con un agente.',
      soon: 'Un agente le responderá aquí en breve.',
      handoff: {
        outside_business_hours: 'Nuestro equipo no está disponible ahora.',
        customer_request: 'Un agente se hará cargo de esta conversación.',
        missing_knowledge: 'No tengo la respuesta a eso.',
        low_confidence: 'No estoy seguro de eso.',
        inference_unavailable: 'Nuestro asistente no puede responder ahora.',
      },
    },
    fr: {
      title: 'Discutez avec nous', open: 'Ouvrir le chat', close: 'Fermer le chat', input: 'Message', send: 'Envoyer',
      greeting: 'Bonjour ! Comment pouvons-nous vous aider ?', typing: 'Écrit…', you: 'Vous', bot: 'Assistant',
      joined: '{} a rejoint la conversation', waiting: 'En attente d’un conseiller…', agent: 'Conseiller',
      unavailable: 'Le chat est indisponible pour le moment. Veuillez réessayer plus tard.',
      resolved: 'Conversation résolue', retry: 'Trop de messages. Veuillez réessayer {}.',
      rate: 'Êtes-vous satisfait ?', star: '{} sur 5', thanks: 'Merci pour votre note !',
      comment: 'Un commentaire ? (facultatif)', sendComment: 'Envoyer le commentaire',
      done: 'Merci pour votre avis !', log: 'Conversation',
      away: 'Nous sommes absents pour le moment. De retour {}.', awayNoReturn: 'Nous sommes absents pour le moment.',
      leaveEmail: 'Laissez votre adresse e-mail, nous vous répondrons dès notre retour.',
      email: 'Adresse e-mail', sendEmail: 'Envoyer', emailThanks: 'Merci ! Nous répondrons à {}.',
      replyIn: 'Répond généralement {}', attach: 'Envoyer un fichier', tooLarge: 'Ce fichier est trop volumineux.',
      badType: 'Seuls les images et les fichiers PDF peuvent être envoyés.',
      offer: 'Je ne suis pas sûr d’avoir compris. Votre question est-elle l’une de celles-ci ?',
      none: 'Aucune : parler à un conseiller', noneSend: 'Je voudrais parler à un conseiller.',
      soon: 'Un conseiller vous répondra ici sous peu.',
      handoff: {
        outside_business_hours: 'Notre équipe est absente pour le moment.',
        customer_request: 'Un conseiller va prendre en charge cette conversation.',
        missing_knowledge: 'Je n’ai pas la réponse à cette question.',
        low_confidence: 'Je ne suis pas sûr de la réponse.',
        inference_unavailable: 'Notre assistant ne peut pas répondre pour le moment.',
      },
    },
  };
  const lang = (ds.locale || navigator.language || 'en').slice(0, 2).toLowerCase();
  const S = STRINGS[lang] || STRINGS.en;
  const locale = STRINGS[lang] ? lang : 'en';
  const t = (k, v) => S[k].replace('{}', v);
  const TYPES = 'image/png,image/jpeg,image/gif,image/webp,application/pdf';
  const STORE = 'switchboard:' + siteKey;

  let state = load();
  let source = null;
  let lastEventId = null;
  let connected = null;
  let identity = null;
  let streaming = null;
  let rating = 0;
  let lastSystem = null;
  let offerBox = null;
  let replyText = '';
  const shown = new Set();

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || {};
    } catch (e) {
      return {};
    }
  }
  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify(state));
    } catch (e) { /* private mode: the conversation lasts for this page only */ }
  }

  const el = (tag, props, ...children) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') n.textContent = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v);
    }
    n.append(...children);
    return n;
  };

  // ---- DOM ----
  const TAG = 'switchboard-chat';
  if (!customElements.get(TAG)) customElements.define(TAG, class extends HTMLElement {});
  const host = el(TAG, { 'data-switchboard': '' });
  const root = host.attachShadow({ mode: 'closed' });
  // The host element is in the page's tree: its own box is reset (important rules of a shadow tree win over the
  // page's), and .w cuts inheritance, so everything inside starts from initial values.
  const wrap = el('div', { class: 'w' });
  const color = ds.color && CSS.supports('color', ds.color) ? ds.color : '#2563eb';
  root.append(el('style', {
    text: `:host{all:initial!important}
.w{all:initial;--c:${color};font:15px/1.4 system-ui,sans-serif;color:#111;text-align:left;direction:ltr}
*{box-sizing:border-box}button,textarea{font:inherit}
.l{position:fixed;bottom:20px;${ds.position === 'left' ? 'left' : 'right'}:20px;width:56px;height:56px;border-radius:50%;border:0;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 4px 14px #0004;z-index:2147483646}
.l svg{width:26px;height:26px;fill:currentColor}.l[data-unread]::after{content:'';position:absolute;top:4px;right:4px;width:12px;height:12px;border-radius:50%;background:#e11d48}
.p{position:fixed;bottom:88px;${ds.position === 'left' ? 'left' : 'right'}:20px;width:370px;height:min(600px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 8px 30px #0004;overflow:hidden;z-index:2147483647}
.p[hidden],[hidden]{display:none}
header{background:var(--c);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}
header div{flex:1}h2{margin:0;font-weight:600;font-size:16px}.s{font-size:12px;opacity:.9}
button{cursor:pointer}.x{background:none;border:0;color:#fff;font-size:22px;line-height:1;padding:4px 8px}
.g{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}
.m{max-width:85%;padding:8px 11px;border-radius:12px;background:#fff;border:1px solid #e3e5e8;white-space:pre-wrap;overflow-wrap:anywhere}
.m.customer{align-self:flex-end;background:var(--c);color:#fff;border:0}
.m.system,.n{align-self:center;background:none;border:0;color:#555;font-size:13px;text-align:center}
.m p{margin:0 0 6px}.m p:last-child{margin:0}.m ul,.m ol{margin:4px 0;padding-left:20px;white-space:normal}.m a{color:inherit}
.a{display:block;font-size:12px;font-weight:600;margin-bottom:2px}.v{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.t{padding:0 14px 6px;color:#555;font-size:13px;background:#f6f7f9}
.e{padding:6px 14px;color:#b91c1c;font-size:13px}
.r{padding:10px 14px;border-top:1px solid #e3e5e8;text-align:center}.r p{margin:0 0 6px}
.r button{border:1px solid #ccd;background:#fff;border-radius:8px;padding:4px 9px;margin:0 2px}
.r textarea{width:100%;margin:6px 0}.r .b{background:var(--c);color:#fff;border:0;padding:6px 12px}
.o{padding:10px 14px;border-top:1px solid #e3e5e8;background:#fffbeb;font-size:13px}.o p{margin:0 0 6px}
.o form{padding:0;border:0}.o input{flex:1;border:1px solid #ccd;border-radius:8px;padding:6px;font:inherit}
.q{display:flex;flex-direction:column;gap:6px;margin-top:6px;white-space:normal}.q button{text-align:left;border:1px solid var(--c);color:var(--c);background:#fff;border-radius:10px;padding:6px 10px}.q .h{border-color:#ccd;color:#555}
.c{background:none;border:0;font-size:20px;line-height:1;padding:8px 2px;color:#555}
.m img{display:block;max-width:200px;max-height:200px;border-radius:6px;margin-top:2px}.m .f::before{content:'PDF';font-size:.75em;font-weight:600;border:1px solid;border-radius:3px;padding:0 3px;margin-right:4px}
form{display:flex;gap:8px;padding:10px;border-top:1px solid #e3e5e8;align-items:flex-end}
textarea{flex:1;resize:none;overflow-y:hidden;border:1px solid #ccd;border-radius:10px;padding:8px;min-height:38px;max-height:120px}
.b{background:var(--c);color:#fff;border:0;border-radius:10px;padding:9px 14px}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
@media (max-width:480px){.p{inset:0;width:auto;height:auto;border-radius:0}}`,
  }));
  const launcher = el('button', {
    class: 'l', type: 'button', 'aria-label': S.open, 'aria-expanded': 'false', 'aria-controls': 'sb-panel',
    onclick: () => (panel.hidden ? open() : close()),
  });
  const svg = (tag, attrs) => {
    const n = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    return n;
  };
  launcher.append(svg('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }));
  launcher.firstChild.append(svg('path', { d: 'M4 4h16v12H7l-3 3z' }));
  const status = el('span', { class: 's', text: '' });
  const log = el('div', { class: 'g', role: 'log', 'aria-live': 'polite', 'aria-label': S.log, tabindex: '0' });
  const typing = el('div', { class: 't', role: 'status', hidden: '' });
  const error = el('div', { class: 'e', role: 'alert' });
  const rateBox = el('div', { class: 'r', hidden: '' });
  const input = el('textarea', { rows: '1', 'aria-label': S.input, placeholder: S.input, maxlength: '4000' });
  const awayBox = el('div', { class: 'o', hidden: '' });
  const fileInput = el('input', { type: 'file', accept: TYPES, hidden: '', onchange: () => sendFile(fileInput.files[0]) });
  const attachButton = el('button', {
    class: 'c', type: 'button', 'aria-label': S.attach, title: S.attach, text: '📎', onclick: () => fileInput.click(),
  });
  const form = el('form', {}, attachButton, fileInput, input, el('button', { class: 'b', type: 'submit', text: S.send }));
  const title = ds.title || S.title;
  const panel = el('div', { class: 'p', id: 'sb-panel', role: 'dialog', 'aria-label': title, hidden: '' },
    el('header', {}, el('div', {}, el('h2', { text: title }), status),
      el('button', { class: 'x', type: 'button', 'aria-label': S.close, text: '×', onclick: () => close() })),
    log, typing, error, awayBox, rateBox, form);
  wrap.append(panel, launcher);
  root.append(wrap);
  log.append(el('div', { class: 'm bot' }, el('span', { class: 'a', text: S.bot }), ds.greeting || S.greeting));

  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });
  input.addEventListener('input', grow);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value;
    if (text.trim()) send(text);
  });

  function grow() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
    input.style.overflowY = input.scrollHeight > 120 ? 'auto' : 'hidden';
  }
  function open(focus = true) {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', S.close);
    launcher.removeAttribute('data-unread');
    state.open = true;
    save();
    if (focus) input.focus();
    scroll();
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', S.open);
    state.open = false;
    save();
    launcher.focus();
  }
  const scroll = () => { log.scrollTop = log.scrollHeight; };

  // ---- API ----
  /** A JSON body, or a file's bytes as they are (the server reads the type from them). */
  async function api(method, path, body, file) {
    const headers = { 'X-Site-Key': siteKey };
    if (state.token) headers['X-Visitor-Token'] = state.token;
    if (body) headers['Content-Type'] = 'application/json';
    if (file) headers['Content-Type'] = 'application/octet-stream';
    const r = await fetch(base + '/api/v1/conversations' + path, {
      method, headers, body: file || (body && JSON.stringify(body)),
    });
    if (!r.ok) {
      throw Object.assign(new Error('HTTP ' + r.status), { status: r.status, retryAfter: +r.headers.get('Retry-After') });
    }
    return r.json();
  }
  const fail = (e) => {
    const s = e.status === 429 && e.retryAfter;
    if (s) {
      const when = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
      error.textContent = t('retry', s < 120 ? when.format(s, 'second') : when.format(Math.ceil(s / 60), 'minute'));
      return;
    }
    error.textContent = S.unavailable;
    if (!(e instanceof TypeError)) return console.warn('Switchboard:', e);
    // A network error hides the reason from scripts. When the server answers a request that needs no CORS, it is
    // up and refused this page's origin.
    fetch(base + '/widget.js', { method: 'HEAD', mode: 'no-cors' }).then(
      () => console.error(`Switchboard: ${base} refused this page's origin ${location.origin}: add it to the `
        + "workspace's allowedOrigins (PATCH /api/v1/workspaces/{id})."),
      () => console.error(`Switchboard: cannot reach ${base}.`, e));
  };

  async function send(text, retry = true, typed = true) {
    error.textContent = '';
    try {
      if (!state.id) await start();
      await connected;
      const m = await api('POST', `/${state.id}/messages`, { content: text });
      if (typed) {
        input.value = '';
        grow();
      }
      render(m);
      rateBox.hidden = true;
    } catch (e) {
      // The stored conversation is gone (e.g. a new database): start a new one with the same message.
      if ((e.status === 404 || e.status === 401) && state.id && retry) {
        forget();
        return send(text, false, typed);
      }
      fail(e);
    }
  }

  async function sendFile(file) {
    error.textContent = '';
    fileInput.value = '';
    if (!file) return;
    try {
      if (!state.id) await start();
      await connected;
      render(await api('POST', `/${state.id}/attachments?filename=${encodeURIComponent(file.name)}`, null, file));
      rateBox.hidden = true;
    } catch (e) {
      if (e.status === 413) error.textContent = S.tooLarge;
      else if (e.status === 415) error.textContent = S.badType;
      else fail(e);
    }
  }

  /** Business hours: outside them, when the team is back and a form for an e-mail address; the expected reply time. */
  async function checkAvailability() {
    let a;
    try {
      a = await api('GET', '/availability');
    } catch (e) {
      return; // the chat works without it
    }
    if (a.expectedReplyMinutes) {
      replyText = t('replyIn', relative(a.expectedReplyMinutes));
      if (!status.textContent) status.textContent = replyText;
    }
    if (a.open || state.emailLeft) {
      awayBox.hidden = true;
      return;
    }
    const address = el('input', {
      type: 'email', required: '', 'aria-label': S.email, placeholder: S.email, autocomplete: 'email', maxlength: '320',
    });
    const emailForm = el('form', {}, address, el('button', { class: 'b', type: 'submit', text: S.sendEmail }));
    emailForm.addEventListener('submit', (e) => {
      e.preventDefault();
      leaveEmail(address.value.trim());
    });
    awayBox.replaceChildren(el('p', { text: a.nextOpenAt ? t('away', backAt(a.nextOpenAt)) : S.awayNoReturn }),
      el('p', { text: S.leaveEmail }), emailForm);
    awayBox.hidden = false;
  }

  const relative = (minutes) => {
    const f = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
    if (minutes < 90) return f.format(minutes, 'minute');
    return minutes < 36 * 60 ? f.format(Math.round(minutes / 60), 'hour') : f.format(Math.round(minutes / 1440), 'day');
  };

  /** In the visitor's own time zone: a weekday and time within the week, else the date. */
  function backAt(iso) {
    const when = new Date(iso);
    const soon = when - Date.now() < 6 * 864e5;
    return new Intl.DateTimeFormat(locale, soon ? { weekday: 'long', hour: 'numeric', minute: '2-digit' }
      : { dateStyle: 'medium', timeStyle: 'short' }).format(when);
  }

  async function leaveEmail(email) {
    error.textContent = '';
    try {
      if (!state.id) await start();
      await api('POST', `/${state.id}/contact-email`, { email });
      state.emailLeft = email;
      save();
      awayBox.replaceChildren(el('p', { text: t('emailThanks', email) }));
    } catch (e) {
      fail(e);
    }
  }

  async function start() {
    state.visitorId = state.visitorId || 'v_' + crypto.randomUUID();
    state.token = null;
    const c = await api('POST', '', { visitorId: state.visitorId });
    Object.assign(state, { id: c.id, token: c.visitorToken, seen: 0 });
    save();
    await sendIdentity();
    connect(false);
  }

  async function sendIdentity() {
    if (!identity || !state.id || state.identity === identity.id) return;
    await api('POST', `/${state.id}/identify`, identity);
    state.identity = identity.id;
    save();
  }

  /**
   * Opens the event stream. With history, it replays every durable event from the start (messages and status
   * changes, so notices such as "X joined" come back in their place); events up to state.seen were shown before this
   * page and neither mark the launcher unread nor ask for a new rating.
   */
  function connect(withHistory) {
    if (source) source.close();
    let url = `${base}/api/v1/conversations/${state.id}/events?site_key=${encodeURIComponent(siteKey)}`
      + `&visitor_token=${encodeURIComponent(state.token)}`;
    const from = withHistory ? '0' : lastEventId;
    if (from) url += '&last_event_id=' + encodeURIComponent(from);
    const es = (source = new EventSource(url));
    connected = new Promise((resolve) => {
      es.addEventListener('open', resolve, { once: true });
      setTimeout(resolve, 5000);
    });
    const on = (type, fn) => es.addEventListener(type, (e) => {
      const id = e.lastEventId;
      let seen = false;
      if (id) lastEventId = id;
      if (/^\d+$/.test(id)) {
        seen = +id <= (state.seen || 0);
        if (!seen) {
          state.seen = +id;
          save();
        }
      }
      fn(JSON.parse(e.data), seen);
    });
    on('message.created', render);
    on('conversation.status_changed', (s, seen) => showStatus(s, !seen));
    on('bot.delta', delta);
    on('typing', (x) => { typing.hidden = !x.on || !!streaming; typing.textContent = S.typing; });
    es.addEventListener('error', () => {
      // EventSource retries network drops itself (sending Last-Event-ID); it gives up on an error status.
      if (es.readyState === EventSource.CLOSED && source === es) setTimeout(recover, 2000);
    });
  }

  async function recover() {
    try {
      await api('GET', `/${state.id}`);
      connect(false);
    } catch (e) {
      if (e.status === 404 || e.status === 401) forget();
      else setTimeout(recover, 5000);
    }
  }

  /** After a reload: the stored rating first (the replayed status changes need it), then the whole stream. */
  async function resume() {
    try {
      rating = (await api('GET', `/${state.id}`)).rating || 0;
      connect(true);
    } catch (e) {
      if (e.status === 404 || e.status === 401) forget();
      else fail(e);
    }
  }

  function forget() {
    if (source) source.close();
    source = null;
    lastEventId = null;
    state = { visitorId: state.visitorId, open: state.open };
    save();
    shown.clear();
    log.replaceChildren(log.children[0]);
    lastSystem = null;
    rateBox.hidden = true;
    status.textContent = '';
  }

  // ---- rendering ----
  function render(m, seen) {
    if (shown.has(m.id)) return;
    if (offerBox) {
      // offers answer the message before them only: once anything follows, they are gone
      offerBox.remove();
      offerBox = null;
    }
    if (m.role === 'bot' && streaming) {
      streaming.remove();
      streaming = null;
    }
    if (m.role !== 'customer') typing.hidden = true;
    log.append(message(m));
    if (panel.hidden && m.role !== 'customer' && !seen) launcher.setAttribute('data-unread', '');
    scroll();
  }

  function message(m) {
    shown.add(m.id);
    const who = m.role === 'customer' ? S.you : m.role === 'agent' ? m.authorName || S.agent : S.bot;
    const n = el('div', { class: 'm ' + m.role, 'data-id': m.id });
    if (m.role === 'system') n.append((lastSystem = el('span', { text: m.content })));
    else {
      n.append(el('span', { class: m.role === 'customer' ? 'v' : 'a', text: who }));
      if (m.attachment) n.append(attachment(m.attachment));
      else if (m.role === 'bot' && m.offers && m.offers.length) n.append(offers(m.offers));
      else if (m.role === 'bot') n.append(markdown(m.content));
      else n.append(m.content);
    }
    return n;
  }

  /**
   * The bot was not sure which FAQ entry the customer means: a button per entry sends its question as the
   * customer's message (the bot answers that with the entry), the last asks for a person.
   */
  function offers(list) {
    const pick = (text) => () => send(text, true, false);
    offerBox = el('div', { class: 'q', role: 'group', 'aria-label': S.offer },
      ...list.map((o) => el('button', { type: 'button', text: o.question, onclick: pick(o.question) })),
      el('button', { type: 'button', class: 'h', text: S.none, onclick: pick(S.noneSend) }));
    return el('div', {}, el('p', { text: S.offer }), offerBox);
  }

  /** A file of the conversation: the widget's credentials ride in the URL, as an img element cannot send headers. */
  function attachment(a) {
    const q = `?site_key=${encodeURIComponent(siteKey)}&visitor_token=${encodeURIComponent(state.token)}`;
    const link = el('a', { href: base + a.url + q, target: '_blank', rel: 'noopener noreferrer' });
    if (a.contentType.startsWith('image/')) link.append(el('img', { src: base + (a.thumbnailUrl || a.url) + q, alt: a.filename }));
    else {
      link.className = 'f';
      link.textContent = a.filename;
    }
    return link;
  }

  function delta(d) {
    typing.hidden = true;
    if (!streaming) {
      streaming = el('div', { class: 'm bot', 'aria-busy': 'true', 'data-streaming': '' });
      streaming.raw = '';
      log.append(streaming);
    }
    streaming.raw += d.text;
    streaming.replaceChildren(el('span', { class: 'a', text: S.bot }), markdown(streaming.raw));
    scroll();
  }

  function showStatus(s, live) {
    const agent = s.agentName || S.agent;
    status.textContent = s.status === 'open' ? agent : s.status === 'pending' ? S.waiting : s.status === 'resolved'
      ? S.resolved : replyText;
    if (s.status !== 'bot' && streaming) {
      // A person took over (or the bot handed off) mid-answer: that partial answer was never stored.
      streaming.remove();
      streaming = null;
    }
    const reason = s.status === 'pending' && S.handoff && s.handoffReason;
    if (reason && lastSystem) {
      lastSystem.textContent = (S.handoff[reason] ? S.handoff[reason] + ' ' : '')
        + (reason === 'outside_business_hours' ? S.leaveEmail : S.soon);
    }
    if (s.status === 'pending' && s.handoffReason === 'outside_business_hours') checkAvailability();
    lastSystem = null;
    if (s.status === 'open' && s.previousStatus !== 'open') notice(t('joined', agent));
    if (s.status === 'resolved') {
      if (live) rating = 0;
      showRating();
    } else rateBox.hidden = true;
  }

  const notice = (text) => {
    log.append(el('div', { class: 'n', text }));
    scroll();
  };

  function showRating() {
    rateBox.hidden = false;
    if (rating) rateBox.replaceChildren(el('p', { text: S.done }));
    else askRating();
    scroll(); // the box takes room from the log: keep its last message in view
  }

  function askRating() {
    const stars = [1, 2, 3, 4, 5].map((i) => el('button', {
      type: 'button', 'aria-label': t('star', i), 'data-score': i, text: '★'.repeat(i),
      onclick: () => rate(i),
    }));
    rateBox.replaceChildren(el('p', { text: S.rate }), el('div', { role: 'group', 'aria-label': S.rate }, ...stars));
  }

  async function rate(score) {
    try {
      await api('POST', `/${state.id}/rating`, { score });
      rating = score;
      const comment = el('textarea', { rows: '2', 'aria-label': S.comment, placeholder: S.comment, maxlength: '2000' });
      const more = el('button', {
        class: 'b', type: 'button', text: S.sendComment,
        onclick: async () => {
          if (comment.value.trim()) await api('POST', `/${state.id}/rating`, { score, comment: comment.value }).catch(fail);
          rateBox.replaceChildren(el('p', { text: S.done }));
        },
      });
      rateBox.replaceChildren(el('p', { text: S.thanks }), comment, more);
      comment.focus();
      scroll();
    } catch (e) {
      fail(e);
    }
  }

  /** Bold, bullet and numbered lists, links to http(s)/mailto; everything else stays text. Built from DOM nodes. */
  function markdown(src) {
    const out = document.createDocumentFragment();
    let list = null;
    let para = null;
    for (const line of src.split('\n')) {
      const item = /^\s*(?:([-*])|\d+[.)])\s+(.*)$/.exec(line);
      if (item) {
        const tag = item[1] ? 'UL' : 'OL';
        if (!list || list.tagName !== tag) out.append((list = document.createElement(tag)));
        list.append(inline(el('li'), item[2]));
        para = null;
      } else if (!line.trim()) {
        list = para = null;
      } else {
        list = null;
        if (para) para.append(el('br'));
        else out.append((para = el('p')));
        inline(para, line);
      }
    }
    return out;
  }

  function inline(parent, text) {
    const re = /\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let at = 0;
    for (let m; (m = re.exec(text));) {
      parent.append(text.slice(at, m.index));
      at = re.lastIndex;
      if (m[1]) parent.append(el('strong', { text: m[1] }));
      else if (safeUrl(m[3])) parent.append(el('a', { href: m[3], target: '_blank', rel: 'noopener noreferrer nofollow', text: m[2] }));
      else parent.append(m[0]);
    }
    parent.append(text.slice(at));
    return parent;
  }

  function safeUrl(href) {
    try {
      return ['http:', 'https:', 'mailto:'].includes(new URL(href).protocol);
    } catch (e) {
      return false; // relative or malformed
    }
  }

  // ---- public API ----
  const apiObject = {
    version: 1,
    open,
    close,
    /** Ties the conversation to the page's logged-in user; hash = hex HMAC-SHA256(id, identity secret). */
    identify(who) {
      if (!who || !who.id || !who.hash) throw new Error('Switchboard.identify needs {id, hash}');
      if (state.identity && state.identity !== String(who.id)) forget(); // another user: not their conversation
      identity = { id: String(who.id), name: who.name, email: who.email, hash: who.hash, attributes: who.attributes };
      sendIdentity().catch(fail);
    },
    /** Forgets the conversation on this browser (e.g. when the user logs out). */
    reset: forget,
  };
  const queued = (window.Switchboard && window.Switchboard.q) || [];
  window.Switchboard = apiObject;
  const mount = () => {
    document.body.append(host);
    checkAvailability();
    if (state.id) resume();
    if (state.open) open(false); // restored on the next page without taking the host page's focus
    for (const [method, arg] of queued) if (typeof apiObject[method] === 'function') apiObject[method](arg);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
