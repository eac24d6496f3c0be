//! Deterministic synthetic patients for the benchmark: patient `i` is always the same person, so queries can
//! be built for any registered patient without keeping a million drafts in memory.

use clinic_core::patients::{Identifier, PatientDraft, Phone, PhoneKind, Sex};

/// SplitMix64: a tiny, well-mixed, seedable generator (no dependency needed for a benchmark).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stream of numbers derived from one seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        mix(self.0)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Names and phone conventions of one part of the world.
struct Culture {
    country: &'static str,
    dialling: &'static str,
    given: &'static [&'static str],
    family: &'static [&'static str],
    /// Two family names (Spanish, Portuguese custom).
    double_family: bool,
}

const CULTURES: &[Culture] = &[
    Culture {
        country: "ES",
        dialling: "34",
        given: &[
            "José", "María", "Lucía", "Álvaro", "Sofía", "Javier", "Inés", "Raúl", "Begoña", "Íñigo", "Nuria", "Jesús",
        ],
        family: &[
            "García",
            "Fernández",
            "González",
            "Rodríguez",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Muñoz",
            "Jiménez",
            "Díaz",
            "Álvarez",
            "Romero",
            "Núñez",
            "Ibáñez",
        ],
        double_family: true,
    },
    Culture {
        country: "FR",
        dialling: "33",
        given: &[
            "Léa",
            "Chloé",
            "Hélène",
            "Jérôme",
            "François",
            "Noémie",
            "Gaël",
            "Maël",
            "Zoé",
            "Loïc",
            "Céline",
            "Benoît",
        ],
        family: &[
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Richard",
            "Petit",
            "Durand",
            "Lefèvre",
            "Mercier",
            "Girard",
            "Bérubé",
            "Leroy",
            "Moreau",
            "Lévêque",
            "Chevalier",
        ],
        double_family: false,
    },
    Culture {
        country: "DE",
        dialling: "49",
        given: &[
            "Jürgen",
            "Lena",
            "Lukas",
            "Jörg",
            "Käthe",
            "Maximilian",
            "Anja",
            "Björn",
            "Uwe",
            "Sören",
            "Greta",
            "Matthias",
        ],
        family: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schäfer",
            "Koch",
            "Strauß",
            "Böhm",
            "Krüger",
            "Hoffmann",
            "Köhler",
            "Weiß",
        ],
        double_family: false,
    },
    Culture {
        country: "NO",
        dialling: "47",
        given: &[
            "Åse", "Øystein", "Ingrid", "Sigrún", "Bjørn", "Eirik", "Solveig", "Håkon", "Astrid", "Leif", "Tove",
            "Kjetil",
        ],
        family: &[
            "Hansen",
            "Johansen",
            "Olsen",
            "Larsen",
            "Andersen",
            "Pedersen",
            "Nilsen",
            "Kristiansen",
            "Jensen",
            "Karlsen",
            "Ødegård",
            "Sæther",
            "Haugen",
            "Bakke",
            "Lund",
            "Dahl",
        ],
        double_family: false,
    },
    Culture {
        country: "PL",
        dialling: "48",
        given: &[
            "Łukasz",
            "Małgorzata",
            "Wojciech",
            "Agnieszka",
            "Paweł",
            "Zofia",
            "Grzegorz",
            "Józef",
            "Katarzyna",
            "Michał",
            "Ewa",
            "Bartłomiej",
        ],
        family: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
            "Dąbrowski",
            "Kozłowski",
            "Jankowski",
            "Mazur",
            "Krawczyk",
            "Piotrowski",
        ],
        double_family: false,
    },
    Culture {
        country: "VN",
        dialling: "84",
        given: &["Anh", "Bảo", "Châu", "Dũng", "Hà", "Hiếu", "Hương", "Khánh", "Linh", "Minh", "Phương", "Thảo"],
        family: &[
            "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý",
        ],
        double_family: false,
    },
    Culture {
        country: "NG",
        dialling: "234",
        given: &[
            "Chinedu",
            "Ngozi",
            "Oluwaseun",
            "Adaeze",
            "Emeka",
            "Funmilayo",
            "Ifeanyi",
            "Yetunde",
            "Babajide",
            "Chiamaka",
            "Tunde",
            "Amaka",
        ],
        family: &[
            "Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Abubakar", "Ogunleye", "Obi", "Adebayo",
            "Olawale", "Chukwu", "Ibrahim", "Okeke", "Ogundipe", "Nnamdi",
        ],
        double_family: false,
    },
    Culture {
        country: "KE",
        dialling: "254",
        given: &[
            "Wanjiru", "Otieno", "Akinyi", "Kiprono", "Njeri", "Mwangi", "Achieng", "Kamau", "Chebet", "Omondi",
            "Wambui", "Kibet",
        ],
        family: &[
            "Kamau",
            "Mwangi",
            "Otieno",
            "Odhiambo",
            "Kiprotich",
            "Wanjala",
            "Njoroge",
            "Ochieng",
            "Mutua",
            "Kariuki",
            "Chege",
            "Korir",
            "Onyango",
            "Wafula",
            "Kimani",
            "Mugo",
        ],
        double_family: false,
    },
    Culture {
        country: "IN",
        dialling: "91",
        given: &[
            "Aarav",
            "Priya",
            "Vihaan",
            "Ananya",
            "Arjun",
            "Diya",
            "Rohan",
            "Kavya",
            "Siddharth",
            "Lakshmi",
            "Rahul",
            "Meera",
        ],
        family: &[
            "Sharma",
            "Verma",
            "Patel",
            "Reddy",
            "Iyer",
            "Nair",
            "Gupta",
            "Singh",
            "Kumar",
            "Chatterjee",
            "Banerjee",
            "Menon",
            "Rao",
            "Joshi",
            "Desai",
            "Pillai",
        ],
        double_family: false,
    },
    Culture {
        country: "CN",
        dialling: "86",
        given: &["Wei", "Fang", "Xiùyīng", "Jié", "Lì", "Míng", "Jìng", "Qiáng", "Yàn", "Lěi", "Tāo", "Huá"],
        family: &[
            "Wáng", "Lǐ", "Zhāng", "Liú", "Chén", "Yáng", "Huáng", "Zhào", "Wú", "Zhōu", "Xú", "Sūn", "Mǎ", "Zhū",
            "Hú", "Guō",
        ],
        double_family: false,
    },
    Culture {
        country: "TR",
        dialling: "90",
        given: &[
            "Ayşe", "Mehmet", "Çağlar", "Gülşen", "İbrahim", "Özge", "Şükrü", "Elif", "Burak", "Ümit", "Deniz", "Emre",
        ],
        family: &[
            "Yılmaz",
            "Kaya",
            "Demir",
            "Şahin",
            "Çelik",
            "Yıldız",
            "Yıldırım",
            "Öztürk",
            "Aydın",
            "Özdemir",
            "Arslan",
            "Doğan",
            "Kılıç",
            "Aslan",
            "Çetin",
            "Kara",
        ],
        double_family: false,
    },
    Culture {
        country: "PT",
        dialling: "351",
        given: &[
            "João",
            "Inês",
            "Gonçalo",
            "Conceição",
            "Tomás",
            "Beatriz",
            "Sebastião",
            "Leonor",
            "Rúben",
            "Mariana",
            "Simão",
            "Matilde",
        ],
        family: &[
            "Silva",
            "Santos",
            "Ferreira",
            "Pereira",
            "Oliveira",
            "Costa",
            "Rodrigues",
            "Martins",
            "Jesus",
            "Sousa",
            "Fernandes",
            "Gonçalves",
            "Gomes",
            "Lopes",
            "Marques",
            "Magalhães",
        ],
        double_family: true,
    },
    Culture {
        country: "IE",
        dialling: "353",
        given: &[
            "Siobhán", "Seán", "Aoife", "Niamh", "Pádraig", "Caoimhe", "Eoin", "Róisín", "Cillian", "Sinéad",
            "Darragh", "Orla",
        ],
        family: &[
            "O'Brien",
            "Murphy",
            "Kelly",
            "O'Sullivan",
            "Walsh",
            "Smith",
            "O'Connor",
            "McCarthy",
            "Byrne",
            "Ryan",
            "O'Neill",
            "Ó Súilleabháin",
            "Doyle",
            "Gallagher",
            "Lynch",
            "McLoughlin",
        ],
        double_family: false,
    },
    Culture {
        country: "RU",
        dialling: "7",
        given: &[
            "Александр",
            "Мария",
            "Дмитрий",
            "Анна",
            "Сергей",
            "Ольга",
            "Иван",
            "Наталья",
            "Алексей",
            "Елена",
            "Yuri",
            "Svetlana",
        ],
        family: &[
            "Иванов",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Васильев",
            "Петров",
            "Соколов",
            "Михайлов",
            "Новиков",
            "Федоров",
            "Morozov",
            "Volkov",
            "Alekseev",
            "Lebedev",
            "Semenov",
            "Egorov",
        ],
        double_family: false,
    },
    Culture {
        country: "MA",
        dialling: "212",
        given: &[
            "Fatima", "Mohammed", "Yasmine", "Youssef", "Khadija", "Omar", "Salma", "Hamza", "Zineb", "Mehdi", "Imane",
            "Anas",
        ],
        family: &[
            "El Amrani",
            "Benali",
            "Alaoui",
            "Bennani",
            "Tazi",
            "El Idrissi",
            "Chraibi",
            "Berrada",
            "Fassi",
            "Lahlou",
            "Ouazzani",
            "Benjelloun",
            "Haddad",
            "Mansouri",
            "Ziani",
            "Saidi",
        ],
        double_family: false,
    },
];

/// What a benchmark query needs to know about patient `i`.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub draft: PatientDraft,
    /// The phone number's digits, international form.
    pub phone_digits: String,
    pub national_id: String,
}

/// Patient number `i` of the synthetic population.
pub fn patient(i: u64) -> Synthetic {
    let mut rng = Rng::new(mix(i ^ 0x00C1_1A1C));
    let culture = &CULTURES[rng.below(CULTURES.len())];
    let given = rng.pick(culture.given).to_owned();
    let mut family = rng.pick(culture.family).to_owned();
    if culture.double_family {
        family = format!("{family} {}", rng.pick(culture.family));
    }
    let other_names = if rng.below(5) == 0 { vec![rng.pick(culture.given).to_owned()] } else { vec![] };
    let days = rng.below(95 * 365) as i64;
    let date_of_birth = jiff::civil::date(1930, 1, 1).checked_add(jiff::Span::new().days(days)).ok();
    let subscriber = format!("{:09}", rng.next() % 1_000_000_000);
    let phone_digits = format!("{}{subscriber}", culture.dialling);
    let number = match rng.below(3) {
        0 => format!("+{} {} {} {}", culture.dialling, &subscriber[..3], &subscriber[3..6], &subscriber[6..]),
        1 => format!("+{}-{}-{}", culture.dialling, &subscriber[..4], &subscriber[4..]),
        _ => format!("+{}{subscriber}", culture.dialling),
    };
    // Unique per patient: `i` times a number coprime with 10^9, modulo 10^9.
    let national_id = format!("{}-{:09}", culture.country, (i.wrapping_mul(387_420_489)) % 1_000_000_000);
    let sex = match rng.below(200) {
        0 => Sex::Other,
        1 => Sex::Unknown,
        n if n % 2 == 0 => Sex::Female,
        _ => Sex::Male,
    };
    Synthetic {
        draft: PatientDraft {
            given_name: given,
            family_name: family,
            other_names,
            date_of_birth,
            sex,
            phones: vec![Phone { kind: PhoneKind::Mobile, number }],
            identifiers: vec![Identifier { kind: "national_id".into(), value: national_id.clone() }],
            ..PatientDraft::default()
        },
        phone_digits,
        national_id,
    }
}
