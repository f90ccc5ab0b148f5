// Switchboard agent dashboard: the few live parts of otherwise server-rendered pages. No framework, no build step.
// Text from customers, the bot and agents is only ever put into the page with textContent, never as HTML.
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content;

  // Presence: an open dashboard page says so every 30 s; auto-assignment picks only agents whose page is open.
  if (csrf) {
    var beat = function () {
      fetch('/agent/presence', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } });
    };
    beat();
    setInterval(beat, 30000);
  }

  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    });
  });

  // Labels carry their colour in data-colour (#rrggbb, checked by the server); the CSP allows no style attributes, so
  // it is set here through the CSSOM.
  var paintLabels = function (root) {
    root.querySelectorAll('[data-colour]').forEach(function (el) {
      if (/^#[0-9a-f]{6}$/.test(el.dataset.colour)) { el.style.setProperty('--label', el.dataset.colour); }
    });
  };
  paintLabels(document);

  // Inbox: the workspace feed says which conversation changed; the list is fetched again as rendered by the server.
  var inbox = document.getElementById('inbox');
  if (inbox) {
    // Browser notifications (with the agent's permission, asked by a click): when the count of conversations waiting
    // for a person in this view grows, a handoff came in.
    var enable = document.getElementById('notify-enable');
    if (enable && window.Notification && Notification.permission === 'default') {
      enable.hidden = false;
      enable.addEventListener('click', function () {
        Notification.requestPermission().then(function () { enable.hidden = true; });
      });
    }
    var pendingCount = function () {
      var c = inbox.querySelector('.tab-pending .count');
      return c ? parseInt(c.textContent, 10) : 0;
    };
    var waiting = pendingCount();
    var notifyHandoffs = function () {
      var now = pendingCount();
      if (now > waiting && window.Notification && Notification.permission === 'granted') {
        var n = new Notification('A conversation needs a person', {
          body: now + ' waiting in ' + (document.querySelector('.views [aria-current]') || { textContent: 'the inbox' })
            .textContent.trim(), tag: 'switchboard-handoff'
        });
        n.onclick = function () { window.focus(); window.location.href = inbox.dataset.pending; };
      }
      waiting = now;
    };
    var pending = null;
    var refresh = function () {
      if (pending) { return; }
      pending = setTimeout(function () {
        pending = null;
        fetch(inbox.dataset.list, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
          .then(function (r) {
            if (r.redirected || !r.ok) { window.location.reload(); return null; }
            return r.text();
          })
          .then(function (html) { if (html !== null) { inbox.innerHTML = html; paintLabels(inbox); notifyHandoffs(); } });
      }, 150);
    };
    var feed = new EventSource(inbox.dataset.feed);
    feed.addEventListener('conversation.activity', function (e) {
      var a = JSON.parse(e.data);
      if (a.kind === 'committed') { refresh(); return; }
      var row = inbox.querySelector('li[data-id="' + a.conversationId + '"] .typing');
      if (row) { row.hidden = a.kind !== 'typing_on'; }
    });
    feed.addEventListener('open', refresh); // after a reconnect, catch up on what happened meanwhile
  }

  // Conversation: messages and the bot's answer stream in live.
  var view = document.getElementById('conversation');
  if (view) {
    var list = document.getElementById('messages');
    var reply = document.getElementById('reply');
    var canned = document.getElementById('canned');
    if (canned) {
      canned.addEventListener('change', function () {
        if (canned.value) { reply.value = canned.value; reply.focus(); canned.value = ''; }
      });
    }
    var streaming = null;
    var bubble = function (role, author) {
      var li = document.createElement('li');
      li.className = 'message role-' + role;
      var meta = document.createElement('div');
      meta.className = 'meta';
      var who = document.createElement('span');
      who.className = 'author';
      who.textContent = author;
      meta.appendChild(who);
      var content = document.createElement('div');
      content.className = 'content';
      li.appendChild(meta);
      li.appendChild(content);
      list.appendChild(li);
      return li;
    };
    // A file: an image as its thumbnail (WebP has none: the image itself, sized by CSS), a PDF as a link.
    var showAttachment = function (content, m) {
      var url = '/agent/conversations/' + m.conversationId + '/attachments/' + m.attachment.id;
      var link = document.createElement('a');
      link.href = url;
      content.classList.add('attachment');
      if (m.attachment.contentType.indexOf('image/') === 0) {
        link.target = '_blank';
        link.rel = 'noopener';
        var img = document.createElement('img');
        img.className = 'thumbnail';
        img.alt = m.attachment.filename;
        img.src = m.attachment.thumbnailUrl ? url + '/thumbnail' : url;
        link.appendChild(img);
      } else {
        link.className = 'file';
        link.textContent = m.attachment.filename;
      }
      content.appendChild(link);
    };
    var attach = document.getElementById('attach');
    if (attach) {
      attach.addEventListener('change', function () {
        var file = attach.files[0];
        var error = document.getElementById('attach-error');
        if (!file) { return; }
        error.textContent = '';
        fetch(attach.dataset.upload + '?filename=' + encodeURIComponent(file.name), {
          method: 'POST', credentials: 'same-origin', body: file,
          headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/octet-stream' }
        }).then(function (r) {
          if (r.ok) { attach.value = ''; return null; }
          return r.json().then(function (p) { error.textContent = p.detail; },
            function () { error.textContent = 'The file could not be sent (HTTP ' + r.status + ').'; });
        }, function () { error.textContent = 'The file could not be sent: no connection.'; });
      });
    }
    var dropStreaming = function () {
      if (streaming) { streaming.remove(); streaming = null; }
    };
    var markRead = function () {
      fetch(view.dataset.read, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } });
    };
    var events = new EventSource(view.dataset.events);
    events.addEventListener('message.created', function (e) {
      var m = JSON.parse(e.data);
      if (list.querySelector('li[data-id="' + m.id + '"]')) { return; }
      if (m.role !== 'customer') { dropStreaming(); }
      var li = bubble(m.role, m.role === 'agent' ? m.authorName : m.role);
      li.dataset.id = m.id;
      if (m.source && m.source.type !== 'bot') { // small talk and offers: the bot's own words, no source to name
        var src = document.createElement('span');
        src.className = 'source';
        if (m.source.type === 'faq') {
          var link = document.createElement('a');
          link.href = '/agent/w/' + view.dataset.workspace + '/faq/' + m.source.faqId + '/edit';
          link.textContent = 'FAQ entry';
          src.appendChild(document.createTextNode('FAQ: '));
          src.appendChild(link);
        } else {
          src.textContent = 'model: ' + m.source.model;
        }
        li.querySelector('.meta').appendChild(src);
      }
      if (m.attachment) {
        showAttachment(li.querySelector('.content'), m);
      } else {
        li.querySelector('.content').textContent = m.content;
      }
      if (m.offers) {
        var offers = document.createElement('ul');
        offers.className = 'offers';
        offers.setAttribute('aria-label', 'Entries offered to the customer');
        m.offers.forEach(function (o) {
          var item = document.createElement('li');
          var entry = document.createElement('a');
          entry.href = '/agent/w/' + view.dataset.workspace + '/faq/' + o.faqId + '/edit';
          entry.textContent = o.question;
          item.appendChild(entry);
          offers.appendChild(item);
        });
        li.appendChild(offers);
      }
      markRead();
    });
    events.addEventListener('typing', function (e) {
      var on = JSON.parse(e.data).on;
      if (on && !streaming) {
        streaming = bubble('bot', 'bot');
        streaming.classList.add('streaming');
        streaming.id = 'streaming';
      } else if (!on && streaming && !streaming.querySelector('.content').textContent) {
        dropStreaming();
      }
    });
    events.addEventListener('bot.delta', function (e) {
      if (!streaming) {
        streaming = bubble('bot', 'bot');
        streaming.classList.add('streaming');
        streaming.id = 'streaming';
      }
      streaming.querySelector('.content').textContent += JSON.parse(e.data).text;
    });
    events.addEventListener('conversation.assigned', function (e) {
      var a = JSON.parse(e.data);
      var who = a.agentName || (a.teamName ? 'team ' + a.teamName : 'nobody');
      if (!reply || !reply.value) { window.location.reload(); } else { document.getElementById('assignee').textContent = who; }
    });
    events.addEventListener('conversation.status_changed', function (e) {
      var s = JSON.parse(e.data).status;
      if (s !== 'bot') { dropStreaming(); }
      // The actions depend on the status: show the new ones, unless that would lose a reply being typed.
      if (!reply || !reply.value) { window.location.reload(); } else { document.getElementById('status').textContent = s; }
    });
  }
}());
