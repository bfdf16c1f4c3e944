/*
 * layout.js — the one header and navigation of every staff page, built here once.
 *
 * A staff page's body says which page it is and its title:
 *   <body data-staff-page="cases" data-title="办件列表">
 * and imports this module (directly or through cases-common.js).  On evaluation it puts in
 * front of <main> the header (brand, #who for the signed-in person, h1#page-title) and an
 * empty nav#staff-nav; once the session is known, staffNav(me) fills the nav with the pages
 * that person's role may use, the current one marked aria-current="page".
 *
 * ROLE_HOME is where each role lands after signing in (staff/login.html) and where the brand
 * links: the console for a clerk, the case list for an approver, the dashboard for a manager,
 * the work list (我的帮办) for a 帮办代办 helper, the city's figures for a city manager.
 */

import { el } from '/js/ui.js';

export const ROLE_HOME = {
  clerk: '/console.html',
  approver: '/staff/cases.html',
  manager: '/staff/dashboard.html',
  admin: '/staff/cases.html',
  kiosk: '/kiosk.html',
  helper: '/staff/helper.html',
  region_admin: '/staff/admin/',
  city_manager: '/staff/city.html',
};

export const ROLE_NAME = {
  clerk: '综合窗口',
  approver: '审批人员',
  manager: '中心管理',
  admin: '系统管理',
  kiosk: '自助取号机',
  helper: '帮办代办',
  region_admin: '区域事项管理',
  city_manager: '市级管理',
};

/* Every staff page, in the order the nav shows them, and who may open it. */
const PAGES = [
  { page: 'console', href: '/console.html', text: '窗口叫号', roles: ['clerk'] },
  { page: 'helper', href: '/staff/helper.html', text: '我的帮办', roles: ['helper'] },
  { page: 'case-new', href: '/staff/case-new.html', text: '综合受理', roles: ['clerk', 'helper'] },
  { page: 'prereview', href: '/staff/prereview.html', text: '网上预审', roles: ['clerk'] },
  { page: 'cases', href: '/staff/cases.html', text: '办件列表', roles: ['clerk', 'approver', 'manager', 'admin'] },
  { page: 'promises', href: '/staff/promises.html', text: '承诺核查', roles: ['approver', 'manager', 'admin'] },
  { page: 'handovers', href: '/staff/handovers.html', text: '材料交接', roles: ['clerk', 'approver', 'manager'] },
  { page: 'cross-province', href: '/staff/cross-province.html', text: '跨省通办', roles: ['clerk', 'manager'] },
  { page: 'identity', href: '/staff/identity.html', text: '实名改绑', roles: ['clerk'] },
  { page: 'city', href: '/staff/city.html', text: '全市概况', roles: ['city_manager'] },
  { page: 'dashboard', href: '/staff/dashboard.html', text: '运行监测', roles: ['manager', 'admin'] },
  { page: 'overdue', href: '/staff/cases.html?overdue=1', text: '超期办件', roles: ['manager'] },
  { page: 'admin-items', href: '/staff/admin/', text: '事项目录', roles: ['region_admin', 'admin'] },
  { page: 'admin-bundles', href: '/staff/admin/bundles.html', text: '一件事', roles: ['region_admin', 'admin'] },
  { page: 'admin-import', href: '/staff/admin/import.html', text: '目录导入导出', roles: ['region_admin'] },
  { page: 'admin-categories', href: '/staff/admin/categories.html', text: '业务类别', roles: ['admin'] },
  { page: 'admin-departments', href: '/staff/admin/departments.html', text: '办理部门', roles: ['region_admin', 'admin'] },
  { page: 'admin-hours', href: '/staff/admin/hours.html', text: '开放时间', roles: ['admin'] },
  { page: 'admin-slots', href: '/staff/admin/slots.html', text: '预约时段', roles: ['admin'] },
  { page: 'admin-staff', href: '/staff/admin/staff.html', text: '工作人员', roles: ['admin'] },
  { page: 'admin-calendar', href: '/staff/admin/calendar.html', text: '节假日安排', roles: ['admin'] },
  { page: 'admin-sms', href: '/staff/admin/sms.html', text: '短信模板', roles: ['admin'] },
];

function currentPage() {
  const page = document.body.dataset.staffPage || '';
  if (page === 'cases' && new URLSearchParams(window.location.search).get('overdue')) return 'overdue';
  return page;
}

function build() {
  if (document.getElementById('staff-nav')) return;
  const title = document.body.dataset.title || '工作台';
  const header = el('header', { class: 'site-header staff-header' },
    el('div', { class: document.body.dataset.wide ? 'wrap wide' : 'wrap' },
      el('div', { class: 'topbar' },
        el('a', { class: 'brand', href: '/staff/login.html', id: 'brand' },
          el('img', { src: '/favicon.svg', alt: '', width: '28', height: '28' }), '一窗',
          el('span', { class: 'brand-sub' }, ' · 工作台')),
        el('div', { class: 'who', id: 'who' })),
      el('div', { class: 'hall' }, el('h1', { id: 'page-title' }, title))));
  const nav = el('nav', { class: 'page-nav', id: 'staff-nav', 'aria-label': '工作台导航', hidden: true },
    el('ul', null));
  const main = document.querySelector('main');
  if (main) main.before(header, nav);
  else document.body.prepend(header, nav);
}

/* The nav for the signed-in person: their role's pages, this one marked. */
export function staffNav(me) {
  build();
  const here = currentPage();
  const nav = document.getElementById('staff-nav');
  const mine = PAGES.filter((p) => p.roles.includes(me.role));
  nav.querySelector('ul').replaceChildren(...mine.map((p) => el('li', null,
    el('a', { href: p.href, 'aria-current': p.page === here ? 'page' : null, dataset: { page: p.page } }, p.text))));
  nav.hidden = mine.length === 0;
  const brand = document.getElementById('brand');
  if (brand && ROLE_HOME[me.role]) brand.setAttribute('href', ROLE_HOME[me.role]);
}

/* "综合窗口 · 3 号窗口 · 市场监督管理局": who is signed in, with names, not codes. */
export function whoText(me) {
  const parts = [ROLE_NAME[me.role] || me.role];
  if (me.window) parts.push(`${me.window} 号窗口`);
  if (me.department) parts.push(me.department_name || me.department);
  return parts.join(' · ');
}

// Pages that declare themselves staff pages get the header at once (the sign-in page only
// borrows ROLE_HOME and keeps its own).
if (document.body && document.body.dataset.staffPage) build();
