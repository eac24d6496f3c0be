// A deterministic CSV of synthetic patients for `clinic-admin import-patients` (columns: see
// crates/core/src/patients/import.rs): names from several countries (with accents and compound family
// names), dates of birth 1930–2024, unique mobile numbers, a city. No two rows are likely duplicates
// (same folded name and date of birth, or same phone), so the import's duplicate check passes.
import { createWriteStream } from "node:fs";

const GIVEN = (
  "Amina Awa Fatou Aïssata Mariam Kadiatou Moussa Mamadou Ousmane Ibrahima Seydou Aliou Cheikh Ndèye Khady " +
  "Marie Jeanne Louise Camille Chloé Léa Manon Inès Zoé Élodie Hélène Cécile Agnès Margaux Océane Noémie " +
  "Jean Pierre Louis Hugo Lucas Théo Étienne François Gaëtan Jérôme Benoît Loïc Mathéo Raphaël Noël Anaïs " +
  "José María Lucía Sofía Martina Valentina Álvaro Sergio Andrés Jesús Ramón Íñigo Pilar Begoña Nuria " +
  "Giulia Francesca Chiara Alessandro Matteo Lorenzo Niccolò Giovanni Beatrice Ludovica " +
  "Anna Hanna Jürgen Günther Jörg Björn Sören Lena Felix Maximilian Katharina Lukas Emilia " +
  "Mohammed Ahmed Youssef Fatima Khadija Omar Karim Leïla Nadia Rachid Samir Yasmine Hicham Zineb Imane " +
  "Thi Van Minh Anh Linh Huong Tuan Duc Quang Phuong Trang " +
  "Olga Natalia Irina Dmitri Sergei Ivan Ekaterina Anastasia Wojciech Agnieszka Małgorzata Łukasz " +
  "John Mary James Patricia Robert Jennifer Michael Linda David Elizabeth Sarah Thomas Emily Daniel " +
  "Oluwaseun Chinonso Adebayo Ngozi Kwame Akosua Abebe Tigist Wanjiru Kofi Thandiwe Sipho Zanele " +
  "Priya Arjun Ananya Rohan Deepika Vikram Kavya Siddharth Meera Rahul"
).split(" ");

const FAMILY = (
  "Diallo Traoré Koné Coulibaly Diarra Camara Keïta Sissoko Touré Cissé Ndiaye Diop Fall Sow Ba Sy " +
  "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèbvre Michel " +
  "Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier " +
  "Dumont Lopez Fontaine Chevalier Robin Masson Sánchez Müller Lefebvre Girard Bonnet Dupont Lambert " +
  "García Fernández González Rodríguez López Martínez Pérez Gómez Ruiz Hernández Jiménez Díaz Álvarez " +
  "Moreno Muñoz Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez Ramos Gil Ramírez Serrano " +
  "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca " +
  "Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein " +
  "Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner Köhler " +
  "Benali Haddad Mansouri Bouzid Cherif Amrani El_Idrissi Benjelloun Tazi Alaoui Saïdi Belkacem " +
  "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý " +
  "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Nowak Kowalski Wiśniewski Wójcik " +
  "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Moore Jackson White Harris " +
  "Okafor Adeyemi Okonkwo Mensah Boateng Asante Owusu Kamau Otieno Mwangi Dlamini Nkosi Tshabalala " +
  "Patel Sharma Singh Kumar Gupta Reddy Iyer Nair Mehta Joshi Desai Chatterjee Banerjee " +
  "Da_Silva Dos_Santos Pereira Oliveira Costa Rodrigues Almeida Nascimento Lima Araújo Fernandes Carvalho"
).split(" ").map((n) => n.replace("_", " "));

// Compound family names, as some families have.
const COMPOUND = ["Martin-Diallo", "García-Moreau", "Ben Salah", "Van der Berg", "De la Cruz", "Le Gall", "Saint-Martin", "Lefèvre-Ndiaye", "Al-Hashimi", "O'Brien"];

const CITIES = ["Lyon", "Villeurbanne", "Vénissieux", "Bron", "Saint-Priest", "Caluire-et-Cuire", "Oullins", "Écully", "Tassin", "Décines"];

/** mulberry32: a small seeded PRNG, so every run generates the same patients. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
const csvCell = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Writes `count` patients to `file`; resolves with the number written. */
export async function writePatientsCsv(file, count, seed = 20261123) {
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const out = createWriteStream(file, { encoding: "utf8" });
  const write = (line) => (out.write(line) ? Promise.resolve() : new Promise((r) => out.once("drain", r)));
  await write("given_name,family_name,date_of_birth,sex,phone,city\n");
  const seen = new Set();
  const start = Date.UTC(1930, 0, 1);
  const days = Math.floor((Date.UTC(2024, 11, 31) - start) / 86_400_000);
  let written = 0;
  while (written < count) {
    const given = pick(GIVEN);
    const family = random() < 0.03 ? pick(COMPOUND) : pick(FAMILY);
    const dob = new Date(start + Math.floor(random() * days) * 86_400_000).toISOString().slice(0, 10);
    const key = `${fold(given)}|${fold(family)}|${dob}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const sex = random() < 0.5 ? "female" : "male";
    // Unique mobile numbers: +33 6 then eight digits taken from the row number.
    const digits = String(10_000_000 + written * 7).padStart(8, "0").slice(-8);
    const phone = `+33 6 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6, 8)}`;
    await write(`${csvCell(given)},${csvCell(family)},${dob},${sex},${phone},${csvCell(pick(CITIES))}\n`);
    written += 1;
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return written;
}
