-- demo.sql — the demo city 示范市: its centre 示范区政务服务中心 (demo), two district halls
-- (chengbei 城北区, chengnan 城南区) and a town 便民服务站 (qiaotou 桥头镇).
--
-- Applied once, after the migrations, by the set-up script through the mariadb client.
-- All in one transaction: either the whole demo hall is there or none of it.
-- No staff and no calendar rows here: the admin tool creates staff (argon2id password hashes)
-- and loads the holiday calendar.
--
-- Ids are stable and readable, and tests may rely on them:
--   items IT-<category>-<nnn>, materials M1..M6 within each item (sql/data/catalog-demo.json),
--   windows 1..9 of demo; each other hall numbers its own windows from 1.
-- Which region items each hall accepts and decides (hall_items) is chosen by
-- `yichuang-admin seed-demo` through the admin code (cat_hall_choose), after the catalog.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

START TRANSACTION;

-- ---------------------------------------------------------------------------------------------
-- Hall and opening hours (working days only; the calendar decides which days those are)
-- ---------------------------------------------------------------------------------------------

INSERT INTO regions (code, name) VALUES ('demo-city', '示范市');

INSERT INTO halls (code, name, address, phone, timezone, kind, region) VALUES
('demo', '示范区政务服务中心', '示范区新城大道188号市民服务中心1至3层', '12345', 'Asia/Shanghai',
 'centre', 'demo-city'),
('chengbei', '城北区政务服务中心', '示范市城北区北环路66号', '0000-81234567', 'Asia/Shanghai',
 'district', 'demo-city'),
('chengnan', '城南区政务服务中心', '示范市城南区南湖大道9号', '0000-82345678', 'Asia/Shanghai',
 'district', 'demo-city'),
('qiaotou', '桥头镇便民服务站', '示范市城北区桥头镇人民路1号镇政府一楼', '0000-83456789',
 'Asia/Shanghai', 'station', 'demo-city');

INSERT INTO hall_hours (hall, seq, open_at, close_at) VALUES
('demo', 1, '08:30:00', '12:00:00'),
('demo', 2, '13:30:00', '17:30:00'),
('chengbei', 1, '09:00:00', '12:00:00'),
('chengbei', 2, '13:30:00', '17:00:00'),
('chengnan', 1, '08:30:00', '12:00:00'),
('chengnan', 2, '14:00:00', '17:30:00'),
('qiaotou', 1, '09:00:00', '12:00:00'),
('qiaotou', 2, '14:00:00', '16:30:00');

-- ---------------------------------------------------------------------------------------------
-- Queue categories
-- ---------------------------------------------------------------------------------------------

INSERT INTO categories (hall, code, name, description, sort, cross_province, avg_service_minutes) VALUES
('demo', 'A', '无差别受理', '社保卡、参保登记等各类事项均可在综合窗口受理，不清楚该取哪类号时请取此号', 1, 0, 12),
('demo', 'B', '市场准入',   '企业和个体工商户开办、变更登记，食品经营许可等',                           2, 0, 15),
('demo', 'C', '建设工程',   '建设工程规划许可、施工许可、竣工验收备案等工程建设项目审批',               3, 0, 20),
('demo', 'D', '不动产登记', '房屋买卖过户、抵押登记与注销、不动产登记资料查询',                         4, 0, 18),
('demo', 'E', '社会事务',   '婚姻登记、最低生活保障、残疾人证、出生医学证明等民生事项',                 5, 0, 10),
('demo', 'F', '跨省通办',   '养老保险和医保关系转移、户口迁移、异地就医备案等跨省事项，在本中心即可申请', 6, 1, 15);

-- 咨询导办: not sure what to do or what to bring?  Ask first, at the consult window.
INSERT INTO categories (hall, code, name, description, sort, cross_province, avg_service_minutes, kind) VALUES
('demo', 'Z', '咨询导办',   '不清楚该办什么、怎么办、要带哪些材料，先到咨询导办窗口问清楚', 7, 0, 5, 'consult');

-- The district halls: 无差别受理, 不动产登记, 社会事务; the town station: 无差别受理 only.
INSERT INTO categories (hall, code, name, description, sort, cross_province, avg_service_minutes) VALUES
('chengbei', 'A', '无差别受理', '社保、医保等各类事项均可在综合窗口受理，全市通办事项在此申请、就近领取', 1, 0, 12),
('chengbei', 'D', '不动产登记', '不动产抵押登记与注销、登记资料查询，城北区就近办理',                     2, 0, 18),
('chengbei', 'E', '社会事务',   '最低生活保障、残疾人证、出生医学证明等民生事项',                         3, 0, 10),
('chengnan', 'A', '无差别受理', '社保、医保等各类事项均可在综合窗口受理，全市通办事项在此申请、就近领取', 1, 0, 12),
('chengnan', 'D', '不动产登记', '不动产登记事项在此申请，由市不动产登记中心办理',                         2, 0, 18),
('chengnan', 'E', '社会事务',   '最低生活保障、残疾人证、出生医学证明等民生事项',                         3, 0, 10),
('qiaotou',  'A', '便民代办',   '社保医保参保、出生医学证明补发等简单事项就近申请，全市通办',             1, 0, 10);

-- ---------------------------------------------------------------------------------------------
-- Windows and the categories each one calls
-- ---------------------------------------------------------------------------------------------

INSERT INTO windows (hall, number, name, kind) VALUES
('demo', 1, '1号窗口 综合受理',          'comprehensive'),
('demo', 2, '2号窗口 综合受理',          'comprehensive'),
('demo', 3, '3号窗口 综合受理',          'comprehensive'),
('demo', 4, '4号窗口 市场准入',          'comprehensive'),
('demo', 5, '5号窗口 建设工程',          'comprehensive'),
('demo', 6, '6号窗口 不动产登记',        'comprehensive'),
('demo', 7, '7号窗口 社会事务·跨省通办', 'comprehensive'),
('demo', 8, '8号窗口 统一出件',          'pickup'),
('demo', 9, '9号窗口 咨询导办',          'consult'),
('chengbei', 1, '1号窗口 综合受理',      'comprehensive'),
('chengbei', 2, '2号窗口 综合受理',      'comprehensive'),
('chengbei', 3, '3号窗口 不动产登记',    'comprehensive'),
('chengbei', 4, '4号窗口 社会事务',      'comprehensive'),
('chengbei', 5, '5号窗口 统一出件',      'pickup'),
('chengnan', 1, '1号窗口 综合受理',      'comprehensive'),
('chengnan', 2, '2号窗口 综合受理',      'comprehensive'),
('chengnan', 3, '3号窗口 不动产登记',    'comprehensive'),
('chengnan', 4, '4号窗口 社会事务',      'comprehensive'),
('chengnan', 5, '5号窗口 统一出件',      'pickup'),
('qiaotou',  1, '1号窗口 便民代办',      'comprehensive'),
('qiaotou',  2, '2号窗口 出件',          'pickup');

INSERT INTO window_categories (hall, window_no, category) VALUES
('demo', 1, 'A'), ('demo', 1, 'E'),
('demo', 2, 'A'), ('demo', 2, 'B'),
('demo', 3, 'A'), ('demo', 3, 'F'),
('demo', 4, 'B'),
('demo', 5, 'C'),
('demo', 6, 'D'),
('demo', 7, 'E'), ('demo', 7, 'F'),
('demo', 8, 'A'),
('demo', 9, 'Z'),
('chengbei', 1, 'A'), ('chengbei', 1, 'E'),
('chengbei', 2, 'A'), ('chengbei', 2, 'D'),
('chengbei', 3, 'D'),
('chengbei', 4, 'E'),
('chengbei', 5, 'A'),
('chengnan', 1, 'A'), ('chengnan', 1, 'E'),
('chengnan', 2, 'A'), ('chengnan', 2, 'D'),
('chengnan', 3, 'D'),
('chengnan', 4, 'E'),
('chengnan', 5, 'A'),
('qiaotou', 1, 'A'),
('qiaotou', 2, 'A');

-- ---------------------------------------------------------------------------------------------
-- Departments, each with its back office in the city centre (the district halls' approvers
-- of a department they decide for — 就近办 — sit in the district hall as staff of it).
-- ---------------------------------------------------------------------------------------------

INSERT INTO departments (code, name, hall) VALUES
('scjg', '市场监督管理局', 'demo'),
('zjj',  '住房和城乡建设局', 'demo'),
('bdc',  '自然资源和规划局（不动产登记中心）', 'demo'),
('rsj',  '人力资源和社会保障局', 'demo'),
('mzj',  '民政局', 'demo'),
('gaj',  '公安局（户政）', 'demo'),
('wjw',  '卫生健康委员会', 'demo'),
('ybj',  '医疗保障局', 'demo'),
('cl',   '残疾人联合会', 'demo');

-- ---------------------------------------------------------------------------------------------
-- Items (事项), their materials and keywords, and the bundles (一件事) are the region's
-- catalog: sql/data/catalog-demo.json, loaded by `yichuang-admin seed-demo` through the same
-- import as `yichuang-admin catalog-import` (issue 21), so a catalog that seeds also imports.
-- ---------------------------------------------------------------------------------------------

COMMIT;
