-- demo.sql — the demo hall: 示范区政务服务中心.
--
-- Applied once, after the migrations, by the set-up script through the mariadb client.
-- All in one transaction: either the whole demo hall is there or none of it.
-- No staff and no calendar rows here: the admin tool creates staff (argon2id password hashes)
-- and loads the holiday calendar.
--
-- Ids are stable and readable, and tests may rely on them:
--   items IT-<category>-<nnn>, materials M1..M6 within each item (sql/data/catalog-demo.json),
--   windows 1..8.

SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

START TRANSACTION;

-- ---------------------------------------------------------------------------------------------
-- Hall and opening hours (working days only; the calendar decides which days those are)
-- ---------------------------------------------------------------------------------------------

INSERT INTO halls (code, name, address, phone, timezone) VALUES
('demo', '示范区政务服务中心', '示范区新城大道188号市民服务中心1至3层', '12345', 'Asia/Shanghai');

INSERT INTO hall_hours (hall, seq, open_at, close_at) VALUES
('demo', 1, '08:30:00', '12:00:00'),
('demo', 2, '13:30:00', '17:30:00');

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
('demo', 9, '9号窗口 咨询导办',          'consult');

INSERT INTO window_categories (hall, window_no, category) VALUES
('demo', 1, 'A'), ('demo', 1, 'E'),
('demo', 2, 'A'), ('demo', 2, 'B'),
('demo', 3, 'A'), ('demo', 3, 'F'),
('demo', 4, 'B'),
('demo', 5, 'C'),
('demo', 6, 'D'),
('demo', 7, 'E'), ('demo', 7, 'F'),
('demo', 8, 'A'),
('demo', 9, 'Z');

-- ---------------------------------------------------------------------------------------------
-- Departments
-- ---------------------------------------------------------------------------------------------

INSERT INTO departments (code, name) VALUES
('scjg', '市场监督管理局'),
('zjj',  '住房和城乡建设局'),
('bdc',  '自然资源和规划局（不动产登记中心）'),
('rsj',  '人力资源和社会保障局'),
('mzj',  '民政局'),
('gaj',  '公安局（户政）'),
('wjw',  '卫生健康委员会'),
('ybj',  '医疗保障局'),
('cl',   '残疾人联合会');

-- ---------------------------------------------------------------------------------------------
-- Items (事项), their materials and keywords, and the bundles (一件事) are the region's
-- catalog: sql/data/catalog-demo.json, loaded by `yichuang-admin seed-demo` through the same
-- import as `yichuang-admin catalog-import` (issue 21), so a catalog that seeds also imports.
-- ---------------------------------------------------------------------------------------------

COMMIT;
