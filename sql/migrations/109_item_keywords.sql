-- 109_item_keywords.sql — the words citizens search with (检索词).
-- People search the guide by what they want in their hands ("营业执照", "社保卡", "过户"),
-- not by the item's official name ("个体工商户设立登记").  GET /items?q= matches a part of
-- the name, or a part of any of the item's keywords, or a whole keyword inside the query
-- ("我要办营业执照" finds the items keyed 营业执照).
-- No foreign key to items, as bundle_items (080): the demo items arrive with the demo seed
-- after the migrations; a keyword of an item that does not exist finds nothing.
SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE item_keywords (
    item        VARCHAR(40)       NOT NULL,
    keyword     VARCHAR(50)       NOT NULL COMMENT 'a word or alias a citizen searches with',
    PRIMARY KEY (item, keyword),
    KEY k_item_keywords_keyword (keyword)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='检索词: keywords and aliases of items (事项) for the guide search';

-- The demo hall's items (sql/seed/demo.sql).
INSERT IGNORE INTO item_keywords (item, keyword) VALUES
('IT-A-001', '社保卡'), ('IT-A-001', '社会保障卡'), ('IT-A-001', '办社保卡'),
('IT-A-002', '养老保险'), ('IT-A-002', '社保'), ('IT-A-002', '灵活就业'), ('IT-A-002', '交社保'),
('IT-A-003', '医保'), ('IT-A-003', '居民医保'), ('IT-A-003', '医疗保险'),
('IT-B-001', '营业执照'), ('IT-B-001', '办执照'), ('IT-B-001', '个体户'), ('IT-B-001', '开店'),
('IT-B-002', '营业执照'), ('IT-B-002', '办执照'), ('IT-B-002', '开公司'), ('IT-B-002', '注册公司'),
('IT-B-002', '公司注册'),
('IT-B-003', '食品经营许可证'), ('IT-B-003', '餐饮'), ('IT-B-003', '开饭店'),
('IT-B-004', '营业执照变更'), ('IT-B-004', '换执照'), ('IT-B-004', '法人变更'),
('IT-B-004', '地址变更'),
('IT-C-001', '施工许可证'), ('IT-C-001', '开工'),
('IT-C-002', '规划许可证'), ('IT-C-002', '工程规划'),
('IT-C-003', '竣工备案'), ('IT-C-003', '竣工验收'),
('IT-D-001', '过户'), ('IT-D-001', '二手房'), ('IT-D-001', '房产证'), ('IT-D-001', '买房'),
('IT-D-001', '卖房'), ('IT-D-001', '不动产权证书'),
('IT-D-002', '房屋抵押'), ('IT-D-002', '贷款抵押'), ('IT-D-002', '房贷'),
('IT-D-003', '查档'), ('IT-D-003', '房产查询'), ('IT-D-003', '产权查询'),
('IT-D-004', '解押'), ('IT-D-004', '注销抵押'), ('IT-D-004', '房贷还清'),
('IT-E-001', '结婚证'), ('IT-E-001', '领证'), ('IT-E-001', '结婚'),
('IT-E-002', '低保'),
('IT-E-003', '残疾证'), ('IT-E-003', '残疾人证'),
('IT-E-004', '出生证'), ('IT-E-004', '出生证明'),
('IT-F-001', '医保转移'), ('IT-F-001', '医保转入'),
('IT-F-002', '社保转移'), ('IT-F-002', '养老保险转移'),
('IT-F-003', '落户'), ('IT-F-003', '迁户口'), ('IT-F-003', '户口'), ('IT-F-003', '户籍'),
('IT-F-004', '异地就医'), ('IT-F-004', '异地医保'), ('IT-F-004', '异地长期居住');
