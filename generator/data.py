"""Hand-written reference data for the generator: names, nicknames, places, products and phrases.

Weights are relative frequencies; they only need the right shape (a few very common values and a long
tail), not census accuracy.
"""

from __future__ import annotations

# --- Chinese names -------------------------------------------------------------------------------------

CN_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2), ("赵", 2.0),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.5), ("马", 1.2), ("朱", 1.2), ("胡", 1.1), ("郭", 1.1),
    ("何", 1.0), ("高", 0.9), ("林", 0.9), ("罗", 0.9), ("郑", 0.8), ("梁", 0.8), ("谢", 0.6), ("宋", 0.6),
    ("唐", 0.6), ("许", 0.5), ("韩", 0.5), ("冯", 0.5), ("邓", 0.5), ("曹", 0.5), ("彭", 0.5), ("曾", 0.4),
    ("肖", 0.4), ("田", 0.4), ("董", 0.4), ("袁", 0.4), ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4),
    ("余", 0.4), ("杜", 0.4), ("叶", 0.3), ("程", 0.3), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3),
    ("任", 0.3), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.2), ("钟", 0.2), ("谭", 0.2),
    ("陆", 0.2), ("汪", 0.2), ("范", 0.2), ("金", 0.2), ("石", 0.2), ("廖", 0.2), ("贾", 0.2), ("夏", 0.2),
    ("韦", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2), ("熊", 0.2), ("秦", 0.2), ("邱", 0.2),
    ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2),
    ("单", 0.05), ("解", 0.04), ("翟", 0.05), ("欧阳", 0.05), ("上官", 0.01), ("司马", 0.01),
)  # fmt: skip

# pypinyin reads a lone character with its most common reading; as surnames these read differently.
CN_SURNAME_PINYIN: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "翟": "zhai",
    "沈": "shen",
    "石": "shi",
    "任": "ren",
}

# Whole given names that are very common, with the gender they are mostly given to.
CN_COMMON_GIVEN: tuple[tuple[str, str, float], ...] = (
    ("伟", "M", 5.0), ("芳", "F", 4.5), ("娜", "F", 4.2), ("秀英", "F", 3.8), ("敏", "F", 3.6),
    ("静", "F", 3.5), ("丽", "F", 3.2), ("强", "M", 3.0), ("磊", "M", 2.9), ("军", "M", 2.8),
    ("洋", "M", 2.6), ("勇", "M", 2.5), ("艳", "F", 2.4), ("杰", "M", 2.4), ("娟", "F", 2.2),
    ("涛", "M", 2.1), ("明", "M", 2.0), ("超", "M", 2.0), ("秀兰", "F", 1.9), ("霞", "F", 1.9),
    ("平", "M", 1.8), ("刚", "M", 1.8), ("桂英", "F", 1.7), ("建华", "M", 1.5), ("建国", "M", 1.4),
    ("志强", "M", 1.3), ("海燕", "F", 1.3), ("婷", "F", 1.3), ("丹", "F", 1.2), ("萍", "F", 1.2),
    ("鹏", "M", 1.2), ("华", "M", 1.1), ("红", "F", 1.1), ("玲", "F", 1.1), ("斌", "M", 1.0),
    ("宇", "M", 1.0), ("浩", "M", 1.0), ("凯", "M", 0.9), ("健", "M", 0.9), ("俊", "M", 0.9),
    ("雪", "F", 0.9), ("琳", "F", 0.9), ("晶", "F", 0.8), ("欣", "F", 0.8), ("颖", "F", 0.8),
    ("倩", "F", 0.8), ("子轩", "M", 0.8), ("浩然", "M", 0.7), ("梓涵", "F", 0.7), ("欣怡", "F", 0.7),
    ("子涵", "F", 0.7), ("雨轩", "M", 0.6), ("思远", "M", 0.6), ("宇航", "M", 0.6), ("晓明", "M", 0.6),
    ("小明", "M", 0.5), ("佳怡", "F", 0.5), ("诗涵", "F", 0.5), ("一诺", "F", 0.5), ("文博", "M", 0.5),
)  # fmt: skip

# Characters that make up the long tail of two-character given names.
CN_GIVEN_CHARS_M = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆峰旭晨阳龙林建国志文博轩然睿泽宁远航"
CN_GIVEN_CHARS_F = "芳娜敏静丽艳娟霞玲婷雪琳晶欣颖倩慧佳悦怡梦瑶涵琪思雨露萱诗月晓燕红梅兰丹萍洁莉薇妍"

# Same reading, different character: the commonest kind of typo in Hanzi names.
CN_HOMOPHONES: dict[str, str] = {
    "小": "晓", "晓": "小", "明": "铭", "铭": "明", "伟": "玮", "玮": "伟", "丽": "莉", "莉": "丽",
    "静": "婧", "婧": "静", "华": "桦", "军": "君", "君": "军", "峰": "锋", "锋": "峰", "杰": "洁",
    "玲": "琳", "琳": "玲", "敏": "旻", "婷": "亭", "斌": "彬", "彬": "斌", "宇": "雨", "雪": "雪",
    "颖": "莹", "莹": "颖", "欣": "馨", "馨": "欣", "涛": "韬", "浩": "皓", "皓": "浩", "俊": "骏",
    "文": "雯", "雯": "文", "佳": "嘉", "嘉": "佳", "娜": "那", "红": "虹", "虹": "红", "芳": "方",
}  # fmt: skip

# English names that Chinese customers commonly pick for themselves.
CN_ENGLISH_NAMES_M = ("Kevin", "Jack", "Eric", "Tony", "David", "Leo", "Jason", "Vincent", "Frank", "Allen")
CN_ENGLISH_NAMES_F = ("Grace", "Amy", "Lily", "Cherry", "Vivian", "Coco", "Emily", "Sophie", "Linda", "Alice")

# --- Western names -------------------------------------------------------------------------------------

WESTERN_FIRST_M: tuple[tuple[str, float], ...] = (
    ("James", 3.3), ("John", 3.2), ("Robert", 3.1), ("Michael", 3.0), ("William", 2.5), ("David", 2.5),
    ("Richard", 1.6), ("Joseph", 1.6), ("Thomas", 1.5), ("Charles", 1.4), ("Christopher", 1.3),
    ("Daniel", 1.3), ("Matthew", 1.1), ("Anthony", 1.0), ("Mark", 1.0), ("Steven", 0.9), ("Paul", 0.9),
    ("Andrew", 0.9), ("Joshua", 0.8), ("Kenneth", 0.7), ("Kevin", 0.7), ("Brian", 0.7), ("George", 0.7),
    ("Edward", 0.6), ("Ronald", 0.5), ("Timothy", 0.5), ("Jason", 0.5), ("Jeffrey", 0.5), ("Ryan", 0.5),
    ("Jacob", 0.5), ("Gary", 0.4), ("Nicholas", 0.4), ("Eric", 0.4), ("Jonathan", 0.4), ("Stephen", 0.4),
    ("Lawrence", 0.3), ("Justin", 0.3), ("Scott", 0.3), ("Benjamin", 0.3), ("Samuel", 0.3),
    ("Gregory", 0.3), ("Alexander", 0.3), ("Patrick", 0.3), ("Frank", 0.3), ("Raymond", 0.3),
    ("Jack", 0.3), ("Dennis", 0.2), ("Gerald", 0.2), ("Oliver", 0.3), ("Harry", 0.3), ("Henry", 0.2),
    ("Peter", 0.3), ("Philip", 0.2), ("Frederick", 0.1), ("Nathan", 0.2), ("Zachary", 0.1),
    ("Douglas", 0.1), ("Donald", 0.2), ("Albert", 0.1), ("Walter", 0.1), ("Vincent", 0.1), ("Leonard", 0.1),
)  # fmt: skip

WESTERN_FIRST_F: tuple[tuple[str, float], ...] = (
    ("Mary", 2.6), ("Patricia", 1.6), ("Jennifer", 1.5), ("Linda", 1.4), ("Elizabeth", 1.3),
    ("Barbara", 1.2), ("Susan", 1.1), ("Jessica", 1.0), ("Sarah", 1.0), ("Karen", 0.9), ("Nancy", 0.8),
    ("Lisa", 0.8), ("Margaret", 0.8), ("Betty", 0.5), ("Sandra", 0.6), ("Ashley", 0.6), ("Dorothy", 0.4),
    ("Kimberly", 0.6), ("Emily", 0.6), ("Donna", 0.5), ("Michelle", 0.5), ("Carol", 0.5), ("Amanda", 0.5),
    ("Melissa", 0.5), ("Deborah", 0.5), ("Stephanie", 0.5), ("Rebecca", 0.5), ("Laura", 0.5),
    ("Sharon", 0.4), ("Cynthia", 0.4), ("Kathleen", 0.4), ("Amy", 0.4), ("Angela", 0.4), ("Helen", 0.4),
    ("Anna", 0.4), ("Pamela", 0.3), ("Nicole", 0.3), ("Samantha", 0.3), ("Katherine", 0.4),
    ("Christine", 0.3), ("Emma", 0.4), ("Olivia", 0.4), ("Sophia", 0.3), ("Charlotte", 0.3),
    ("Victoria", 0.3), ("Abigail", 0.2), ("Alexandra", 0.2), ("Catherine", 0.3), ("Jacqueline", 0.2),
    ("Judith", 0.2), ("Theresa", 0.2), ("Eleanor", 0.2), ("Isabella", 0.2), ("Lucy", 0.2), ("Hannah", 0.2),
)  # fmt: skip

WESTERN_SURNAMES: tuple[tuple[str, float], ...] = (
    ("Smith", 5.0), ("Johnson", 3.0), ("Williams", 2.8), ("Brown", 2.6), ("Jones", 2.6), ("Miller", 1.6),
    ("Davis", 1.5), ("Garcia", 1.4), ("Wilson", 1.3), ("Taylor", 1.3), ("Anderson", 1.0), ("Thomas", 1.0),
    ("Moore", 0.9), ("Jackson", 0.9), ("Martin", 0.9), ("Lee", 0.9), ("Thompson", 0.8), ("White", 0.8),
    ("Harris", 0.8), ("Clark", 0.7), ("Lewis", 0.7), ("Robinson", 0.7), ("Walker", 0.7), ("Young", 0.6),
    ("Allen", 0.6), ("King", 0.6), ("Wright", 0.6), ("Scott", 0.5), ("Hill", 0.5), ("Green", 0.5),
    ("Adams", 0.5), ("Baker", 0.5), ("Nelson", 0.4), ("Carter", 0.4), ("Mitchell", 0.4), ("Roberts", 0.4),
    ("Turner", 0.4), ("Phillips", 0.4), ("Campbell", 0.4), ("Parker", 0.4), ("Evans", 0.4),
    ("Edwards", 0.4), ("Collins", 0.3), ("Stewart", 0.3), ("Morris", 0.3), ("Murphy", 0.3), ("Cook", 0.3),
    ("Rogers", 0.3), ("Morgan", 0.3), ("Cooper", 0.3), ("Reed", 0.3), ("Bailey", 0.3), ("Bell", 0.3),
    ("Kelly", 0.3), ("Howard", 0.3), ("Ward", 0.3), ("Richardson", 0.2), ("Wood", 0.3), ("Watson", 0.2),
    ("Hughes", 0.3), ("Patel", 0.4), ("Khan", 0.3), ("Jenkins", 0.2), ("Foster", 0.2), ("Russell", 0.2),
    ("Sullivan", 0.2), ("O'Brien", 0.2), ("O'Connor", 0.1), ("Murray", 0.2), ("Graham", 0.2),
    ("Palmer", 0.2), ("Knight", 0.2), ("Lloyd", 0.2), ("Marshall", 0.2), ("Shaw", 0.2), ("Fletcher", 0.1),
    ("Mason", 0.2), ("Dixon", 0.1), ("Harrison", 0.2), ("Kennedy", 0.2), ("McDonald", 0.2),
    ("MacLeod", 0.1), ("Nguyen", 0.2), ("Hernandez", 0.3), ("Lopez", 0.3), ("Gonzalez", 0.3),
)  # fmt: skip

DE_FIRST_M = (
    ("Lukas", 1.0),
    ("Felix", 0.8),
    ("Jonas", 0.8),
    ("Maximilian", 0.6),
    ("Thomas", 0.7),
    ("Jürgen", 0.4),
)
DE_FIRST_F = (
    ("Anna", 1.0),
    ("Lena", 0.8),
    ("Sophie", 0.7),
    ("Katharina", 0.6),
    ("Jana", 0.4),
    ("Sabine", 0.5),
)
DE_SURNAMES = (
    ("Müller", 2.0),
    ("Schmidt", 1.6),
    ("Schneider", 1.0),
    ("Fischer", 0.9),
    ("Weber", 0.8),
    ("Meyer", 0.8),
    ("Wagner", 0.6),
    ("Becker", 0.6),
)
FR_FIRST_M = (("Louis", 1.0), ("Hugo", 0.9), ("Jean", 0.8), ("Théo", 0.6), ("Lucas", 0.8), ("Étienne", 0.3))
FR_FIRST_F = (("Léa", 1.0), ("Chloé", 0.9), ("Camille", 0.8), ("Manon", 0.7), ("Hélène", 0.4), ("Marie", 0.9))
FR_SURNAMES = (
    ("Martin", 1.5),
    ("Bernard", 1.0),
    ("Dubois", 0.9),
    ("Durand", 0.8),
    ("Lefèvre", 0.5),
    ("Moreau", 0.7),
    ("Laurent", 0.6),
    ("Girard", 0.5),
)
# Hong Kong and Singapore customers: romanised Chinese family names with English given names.
HK_SURNAMES = (
    ("Chan", 2.0),
    ("Wong", 2.0),
    ("Lee", 1.5),
    ("Cheung", 1.0),
    ("Lau", 1.0),
    ("Ng", 0.8),
    ("Leung", 0.8),
    ("Ho", 0.6),
)
SG_SURNAMES = (
    ("Tan", 2.0),
    ("Lim", 1.6),
    ("Lee", 1.2),
    ("Ng", 1.0),
    ("Ong", 0.8),
    ("Goh", 0.7),
    ("Chua", 0.6),
    ("Koh", 0.6),
)

# Full name -> the short forms people use in forms and emails (at least one per pair).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Catherine": ("Cathy", "Kate", "Cat"),
    "Kathleen": ("Kathy", "Kate"),
    "Michael": ("Mike", "Mick"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Jennifer": ("Jen", "Jenny"),
    "Richard": ("Rick", "Rich", "Dick"),
    "Joseph": ("Joe", "Joey"),
    "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Kenneth": ("Ken", "Kenny"),
    "Timothy": ("Tim",),
    "Jeffrey": ("Jeff",),
    "Nicholas": ("Nick",),
    "Jonathan": ("Jon",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Gregory": ("Greg",),
    "Alexander": ("Alex",),
    "Patrick": ("Pat",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Ronald": ("Ron",),
    "Raymond": ("Ray",),
    "Lawrence": ("Larry",),
    "Gerald": ("Jerry",),
    "Donald": ("Don",),
    "David": ("Dave",),
    "Peter": ("Pete",),
    "Philip": ("Phil",),
    "Frederick": ("Fred",),
    "Henry": ("Harry", "Hank"),
    "Nathan": ("Nate",),
    "Zachary": ("Zach",),
    "Douglas": ("Doug",),
    "Albert": ("Al", "Bert"),
    "Walter": ("Walt",),
    "Vincent": ("Vince",),
    "Leonard": ("Len", "Leo"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Susan": ("Sue", "Susie"),
    "Jessica": ("Jess",),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky", "Becca"),
    "Kimberly": ("Kim",),
    "Pamela": ("Pam",),
    "Samantha": ("Sam",),
    "Christine": ("Chris", "Chrissy"),
    "Victoria": ("Vicky", "Tori"),
    "Abigail": ("Abby",),
    "Alexandra": ("Alex", "Lexi"),
    "Jacqueline": ("Jackie",),
    "Cynthia": ("Cindy",),
    "Judith": ("Judy",),
    "Theresa": ("Terri",),
    "Amanda": ("Mandy",),
    "Barbara": ("Barb",),
    "Dorothy": ("Dot",),
    "Eleanor": ("Ellie",),
    "Isabella": ("Bella", "Izzy"),
    "Sophia": ("Sophie",),
    "Olivia": ("Liv",),
    "Maximilian": ("Max",),
    "Katharina": ("Kathi",),
}

# --- Places --------------------------------------------------------------------------------------------

# (city Hanzi, city pinyin, postcode prefix, districts as (Hanzi, pinyin), landline area code, weight)
CN_CITIES: tuple[tuple[str, str, str, tuple[tuple[str, str], ...], str, float], ...] = (
    (
        "上海",
        "Shanghai",
        "200",
        (("浦东新区", "Pudong"), ("徐汇区", "Xuhui"), ("静安区", "Jing'an"), ("闵行区", "Minhang")),
        "21",
        5.0,
    ),
    (
        "北京",
        "Beijing",
        "100",
        (("朝阳区", "Chaoyang"), ("海淀区", "Haidian"), ("东城区", "Dongcheng"), ("丰台区", "Fengtai")),
        "10",
        4.5,
    ),
    (
        "广州",
        "Guangzhou",
        "510",
        (("天河区", "Tianhe"), ("越秀区", "Yuexiu"), ("海珠区", "Haizhu")),
        "20",
        3.0,
    ),
    (
        "深圳",
        "Shenzhen",
        "518",
        (("南山区", "Nanshan"), ("福田区", "Futian"), ("宝安区", "Bao'an")),
        "755",
        3.0,
    ),
    (
        "杭州",
        "Hangzhou",
        "310",
        (("西湖区", "Xihu"), ("滨江区", "Binjiang"), ("上城区", "Shangcheng")),
        "571",
        2.0,
    ),
    (
        "成都",
        "Chengdu",
        "610",
        (("武侯区", "Wuhou"), ("锦江区", "Jinjiang"), ("高新区", "Gaoxin")),
        "28",
        2.0,
    ),
    ("南京", "Nanjing", "210", (("鼓楼区", "Gulou"), ("玄武区", "Xuanwu"), ("建邺区", "Jianye")), "25", 1.5),
    (
        "武汉",
        "Wuhan",
        "430",
        (("武昌区", "Wuchang"), ("江汉区", "Jianghan"), ("洪山区", "Hongshan")),
        "27",
        1.5,
    ),
    ("苏州", "Suzhou", "215", (("姑苏区", "Gusu"), ("工业园区", "Industrial Park")), "512", 1.2),
    ("西安", "Xi'an", "710", (("雁塔区", "Yanta"), ("碑林区", "Beilin")), "29", 1.0),
    ("重庆", "Chongqing", "400", (("渝中区", "Yuzhong"), ("江北区", "Jiangbei")), "23", 1.2),
    ("天津", "Tianjin", "300", (("和平区", "Heping"), ("南开区", "Nankai")), "22", 1.0),
)

# (street Hanzi without its type, pinyin, type Hanzi); the type decides the English word.
CN_STREETS: tuple[tuple[str, str, str], ...] = (
    ("南京", "Nanjing", "路"), ("淮海", "Huaihai", "路"), ("中山", "Zhongshan", "路"),
    ("人民", "Renmin", "路"), ("解放", "Jiefang", "路"), ("建设", "Jianshe", "路"),
    ("长江", "Changjiang", "路"), ("和平", "Heping", "路"), ("延安", "Yan'an", "路"),
    ("新华", "Xinhua", "路"), ("张杨", "Zhangyang", "路"), ("科技", "Keji", "路"),
    ("世纪", "Shiji", "大道"), ("滨江", "Binjiang", "大道"), ("深南", "Shennan", "大道"),
    ("光华", "Guanghua", "大道"), ("文化", "Wenhua", "街"), ("学府", "Xuefu", "街"),
    ("东风", "Dongfeng", "街"), ("朝阳", "Chaoyang", "街"),
)  # fmt: skip

CN_STREET_TYPES: dict[str, tuple[str, ...]] = {
    "路": ("Road", "Rd", "Rd.", "Lu"),
    "大道": ("Avenue", "Ave", "Ave.", "Dadao"),
    "街": ("Street", "St", "St.", "Jie"),
}

# (city, outward postcodes, landline area code without trunk 0, weight)
GB_CITIES: tuple[tuple[str, tuple[str, ...], str, float], ...] = (
    ("London", ("SW1A", "SW3", "SW11", "W1D", "W2", "EC1A", "N1", "E2", "SE1", "NW3"), "20", 5.0),
    ("Manchester", ("M1", "M4", "M14", "M20"), "161", 1.5),
    ("Birmingham", ("B1", "B5", "B15", "B29"), "121", 1.5),
    ("Leeds", ("LS1", "LS6", "LS17"), "113", 1.0),
    ("Glasgow", ("G1", "G3", "G12"), "141", 1.0),
    ("Edinburgh", ("EH1", "EH3", "EH10"), "131", 0.8),
    ("Bristol", ("BS1", "BS6", "BS8"), "117", 0.8),
    ("Liverpool", ("L1", "L8", "L17"), "151", 0.7),
)

GB_STREETS = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Queens Road",
    "Green Lane", "Manor Road", "Kings Road", "Mill Lane", "Albert Street", "Baker Street",
    "London Road", "The Crescent", "Chester Road", "Grange Drive",
)  # fmt: skip

# (city, state, ZIP prefixes, area codes, weight)
US_CITIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("New York", "NY", ("100", "101", "112"), ("212", "646", "718"), 4.0),
    ("San Francisco", "CA", ("941",), ("415", "628"), 1.5),
    ("Los Angeles", "CA", ("900", "913"), ("213", "310", "323"), 3.0),
    ("Chicago", "IL", ("606",), ("312", "773"), 2.0),
    ("Boston", "MA", ("021",), ("617", "857"), 1.0),
    ("Seattle", "WA", ("981",), ("206",), 1.0),
    ("Austin", "TX", ("787",), ("512", "737"), 1.0),
    ("Denver", "CO", ("802",), ("303", "720"), 0.8),
    ("Miami", "FL", ("331",), ("305", "786"), 0.8),
)

US_STREETS = (
    "Main Street", "Oak Street", "Maple Avenue", "Market Street", "Park Avenue", "Elm Street",
    "Washington Boulevard", "Lake Drive", "Cedar Lane", "Sunset Boulevard", "Pine Street", "Broadway",
)  # fmt: skip

# Other countries: (country, city, postcode pattern, street names, weight).
# Postcode patterns: 9 = digit, A = letter, other characters literal; "" means no postcodes.
OTHER_PLACES: tuple[tuple[str, str, str, tuple[str, ...], float], ...] = (
    ("HK", "Hong Kong", "", ("Nathan Road", "Queen's Road Central", "Hennessy Road", "Des Voeux Road"), 1.2),
    ("SG", "Singapore", "999999", ("Orchard Road", "Bukit Timah Road", "Tanjong Pagar Road"), 1.0),
    ("DE", "Berlin", "99999", ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße"), 0.6),
    ("DE", "München", "99999", ("Leopoldstraße", "Sonnenstraße", "Lindwurmstraße"), 0.4),
    (
        "FR",
        "Paris",
        "750999",
        ("rue de Rivoli", "avenue des Ternes", "rue de la Paix", "boulevard Voltaire"),
        0.8,
    ),
    ("AU", "Sydney", "2999", ("George Street", "Pitt Street", "Oxford Street"), 0.6),
    ("AU", "Melbourne", "3999", ("Collins Street", "Flinders Street", "Swanston Street"), 0.5),
    ("CA", "Toronto", "A9A 9A9", ("Queen Street", "Yonge Street", "King Street"), 0.6),
    ("CA", "Vancouver", "A9A 9A9", ("Granville Street", "Robson Street", "Main Street"), 0.4),
)

# Full street words and their abbreviations as people and systems write them.
ADDRESS_ABBREVIATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Street", ("St", "St.")),
    ("Road", ("Rd", "Rd.")),
    ("Avenue", ("Ave", "Ave.", "Av.")),
    ("Boulevard", ("Blvd", "Blvd.")),
    ("Drive", ("Dr", "Dr.")),
    ("Lane", ("Ln", "Ln.")),
    ("Apartment", ("Apt", "Apt.", "#")),
    ("Building", ("Bldg", "Bldg.")),
    ("Straße", ("Str.", "Strasse")),
    ("Crescent", ("Cres",)),
)

# --- Contacts ------------------------------------------------------------------------------------------

PERSONAL_EMAIL_DOMAINS: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (
        ("qq.com", 4.0),
        ("163.com", 3.0),
        ("126.com", 1.5),
        ("sina.com", 0.8),
        ("gmail.com", 0.8),
        ("outlook.com", 0.6),
        ("foxmail.com", 0.5),
    ),
    "GB": (
        ("gmail.com", 4.0),
        ("hotmail.co.uk", 1.5),
        ("outlook.com", 1.2),
        ("yahoo.co.uk", 1.0),
        ("btinternet.com", 0.6),
        ("icloud.com", 0.8),
    ),
    "US": (
        ("gmail.com", 5.0),
        ("yahoo.com", 1.5),
        ("hotmail.com", 1.0),
        ("outlook.com", 1.0),
        ("icloud.com", 1.2),
        ("aol.com", 0.4),
        ("comcast.net", 0.3),
    ),
    "OTHER": (
        ("gmail.com", 4.0),
        ("outlook.com", 1.5),
        ("yahoo.com", 1.0),
        ("icloud.com", 1.0),
        ("hotmail.com", 0.8),
    ),
}

WORK_EMAIL_DOMAINS = (
    "acme-corp.com", "globex.com", "initech.com", "umbrella-group.com", "stark-industries.com",
    "huaxin-tech.com.cn", "dongfang-bank.cn", "jinlong-trading.cn", "pearl-logistics.com.cn",
    "northwind.co.uk", "thamesgate.co.uk", "bluepeak.io", "summit-health.org", "brightline.com",
)  # fmt: skip

# Domain misspellings that still look like email domains.
DOMAIN_TYPOS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("gmial.com", "gmai.com", "gmail.co", "gamil.com"),
    "qq.com": ("qq.con", "qq.cm"),
    "163.com": ("163.cm", "136.com"),
    "hotmail.com": ("hotmial.com", "hotmail.co"),
    "outlook.com": ("outlok.com", "outllook.com"),
    "yahoo.com": ("yaho.com", "yahooo.com"),
    "icloud.com": ("iclod.com", "icould.com"),
}

MOBILE_PREFIXES: dict[str, tuple[str, ...]] = {
    "CN": ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
           "156", "157", "158", "159", "166", "177", "180", "181", "185", "186", "187", "188", "189", "199"),
    "GB": ("74", "75", "78", "79"),
    "HK": ("5", "6", "9"),
    "SG": ("8", "9"),
    "DE": ("151", "152", "160", "176", "179"),
    "FR": ("6",),
    "AU": ("4",),
}  # fmt: skip

# --- Commerce ------------------------------------------------------------------------------------------

# (category, SKU code, typical unit price range in CNY, usual quantity range)
CATEGORIES: tuple[tuple[str, str, float, float, int], ...] = (
    ("apparel", "APP", 79.0, 899.0, 2),
    ("shoes", "SHO", 199.0, 1299.0, 1),
    ("beauty", "BEA", 49.0, 699.0, 3),
    ("home", "HOM", 29.0, 999.0, 2),
    ("electronics", "ELE", 99.0, 4999.0, 1),
    ("sports", "SPO", 59.0, 1199.0, 2),
    ("kids", "KID", 39.0, 499.0, 3),
    ("grocery", "GRO", 9.0, 199.0, 4),
)
CATEGORY_WEIGHTS = (3.0, 1.5, 2.0, 1.5, 0.8, 1.0, 0.8, 1.4)
SKUS_PER_CATEGORY = 400

# (store id, city pinyin) — the store estate is in mainland China.
STORES: tuple[tuple[str, str], ...] = (
    ("SH001", "Shanghai"), ("SH002", "Shanghai"), ("SH003", "Shanghai"), ("BJ001", "Beijing"),
    ("BJ002", "Beijing"), ("GZ001", "Guangzhou"), ("SZ001", "Shenzhen"), ("SZ002", "Shenzhen"),
    ("HZ001", "Hangzhou"), ("CD001", "Chengdu"), ("NJ001", "Nanjing"), ("WH001", "Wuhan"),
    ("SU001", "Suzhou"), ("XA001", "Xi'an"), ("CQ001", "Chongqing"), ("TJ001", "Tianjin"),
)  # fmt: skip

SEARCH_TERMS = (
    "running shoes", "dress", "t shirt", "face cream", "headphones", "yoga mat", "lego", "coffee",
    "羽绒服", "口红", "运动鞋", "连衣裙", "蓝牙耳机", "奶粉", "winter coat", "backpack", "sunscreen",
)  # fmt: skip

STATIC_PAGES = ("/", "/new-in", "/sale", "/stores", "/account", "/orders", "/help", "/wishlist")

# --- Feedback ------------------------------------------------------------------------------------------

NPS_COMMENTS_POSITIVE = (
    "Fast delivery, great quality.",
    'Love the "member days" offers!',
    "Staff in the Nanjing Road store were very helpful",
    "送货很快，质量很好",
    "服务态度好，会推荐给朋友。",
    "Easy returns, will buy again",
    "Great app, checkout takes seconds.",
)
NPS_COMMENTS_NEUTRAL = (
    "OK overall, prices a bit high",
    "Delivery was fine, packaging could be better.",
    "还可以，价格有点贵",
    "Good products, but the app keeps logging me out",
    "Sizes run small, had to exchange",
)
NPS_COMMENTS_NEGATIVE = (
    "Order arrived late, twice.",
    'Refund took 3 weeks; "customer service" never called back',
    "退款太慢了，不会再买",
    "Item was damaged and support was slow",
    "Too many marketing emails, unsubscribed",
    "质量变差了，很失望。",
)
