/*
 * layout.js — the one page skeleton of the citizen pages: the top bar (brand, 登录 and the
 * 长辈模式 toggle) and the site navigation, built here once instead of repeated in every
 * HTML file.
 *
 * A page writes only its own title block and marks where the skeleton goes:
 *
 *   <header class="site-header"><div class="wrap">
 *     <div class="hall"><h1>预约办事</h1>…</div>
 *   </div></header>
 *   <script src="/js/layout.js"></script>
 *
 * Classic and synchronous on purpose, right after the header: the bar and the nav exist
 * before the first paint and before the page's module runs (which finds #toggle-large and
 * wires it with initLargeText, js/ui.js).  No network, no API text: only fixed strings.
 */
(function () {
  'use strict';

  /* The citizen journeys, in the order a visitor meets them. */
  var NAV = [
    { href: '/', label: '首页' },
    { href: '/book.html', label: '预约办事' },
    { href: '/apply.html', label: '网上申请' },
    { href: '/appointments.html', label: '我的预约' },
    { href: '/my-cases.html', label: '我的申请' }
  ];
  /* Pages that belong under a nav entry without being it. */
  var UNDER = {
    '/index.html': '/',
    '/a.html': '/appointments.html',
    '/proxy.html': '/book.html'
  };

  function node(tag, attrs, kids) {
    var n = document.createElement(tag);
    var k;
    for (k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) n.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) {
      n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return n;
  }

  function signedIn() {
    try {
      return !!window.localStorage.getItem('yichuang.token');
    } catch (e) {
      return false;
    }
  }

  var script = document.currentScript;
  var header = script && script.previousElementSibling;
  if (!header || !header.classList.contains('site-header')) return;
  var wrap = header.querySelector('.wrap') || header;
  var path = window.location.pathname;
  var here = UNDER[path] || path;

  /* Skip link first in the tab order. */
  if (!document.querySelector('.skip-link')) {
    document.body.insertBefore(node('a', { class: 'skip-link', href: '#main' }, ['跳到主要内容']),
      document.body.firstChild);
  }

  var bar = node('div', { class: 'topbar' }, [
    node('a', { class: 'brand', href: '/' }, [
      node('img', { src: '/favicon.svg', alt: '', width: '28', height: '28' }),
      '一窗',
      node('span', { class: 'brand-sub' }, [' · 政务服务'])
    ])
  ]);
  var tools = node('div', { class: 'topbar-tools' });
  if (!signedIn() && path !== '/login.html') {
    var next = path + window.location.search;
    tools.appendChild(node('a', {
      class: 'btn btn-top', id: 'top-login',
      href: '/login.html?next=' + encodeURIComponent(next)
    }, ['登录']));
  }
  tools.appendChild(node('button', {
    type: 'button', class: 'btn toggle-large', id: 'toggle-large', 'aria-pressed': 'false'
  }, [node('span', { class: 'toggle-icon', 'aria-hidden': 'true' }, ['大']),
    node('span', {}, ['长辈模式'])]));
  bar.appendChild(tools);
  wrap.insertBefore(bar, wrap.firstChild);

  var list = node('ul');
  NAV.forEach(function (it) {
    var a = node('a', { href: it.href }, [it.label]);
    if (it.href === here) a.setAttribute('aria-current', 'page');
    list.appendChild(node('li', {}, [a]));
  });
  var nav = node('nav', { class: 'page-nav site-nav', 'aria-label': '网站导航' }, [list]);
  header.parentNode.insertBefore(nav, header.nextSibling);
})();
