import { randomInt } from "node:crypto";

/** A selection of docker's namesgenerator words: `adjective_surname`, as docker names its containers. */
const ADJECTIVES = [
  "admiring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful", "bold", "brave",
  "busy", "charming", "clever", "compassionate", "competent", "confident", "cool", "cranky", "crazy", "dazzling",
  "determined", "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic",
  "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gifted",
  "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring",
  "intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical",
  "modest", "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic",
  "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent",
  "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious",
  "sweet", "tender", "thirsty", "trusting", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
  "xenodochial", "youthful", "zealous", "zen",
];

const SURNAMES = [
  "agnesi", "albattani", "allen", "archimedes", "babbage", "banach", "bardeen", "bartik", "bassi", "bell",
  "bhabha", "blackwell", "bohr", "booth", "borg", "bose", "brahmagupta", "brattain", "brown", "cannon",
  "carson", "cerf", "chandrasekhar", "clarke", "colden", "cori", "curie", "darwin", "davinci", "dijkstra",
  "einstein", "elion", "engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman", "franklin",
  "galileo", "gauss", "goldberg", "goodall", "hamilton", "hawking", "heisenberg", "hodgkin", "hopper", "hypatia",
  "jackson", "jang", "jennings", "johnson", "kalam", "kapitsa", "keller", "kepler", "khorana", "knuth",
  "kowalevski", "lamarr", "lamport", "leakey", "lovelace", "lumiere", "mahavira", "mayer", "mccarthy", "mcclintock",
  "meitner", "mendel", "merkle", "mirzakhani", "montalcini", "moore", "morse", "napier", "newton", "nobel",
  "noether", "pascal", "pasteur", "perlman", "pike", "poincare", "ptolemy", "ramanujan", "ride", "ritchie",
  "rosalind", "sammet", "shannon", "shockley", "sinoussi", "stonebraker", "swanson", "tesla", "thompson", "torvalds",
  "turing", "varahamihira", "villani", "wescoff", "wiles", "williams", "wing", "wozniak", "wright", "yalow",
];

/** A random docker-style name; `withDigit` appends a digit, as docker does after a collision. */
export function generateName(withDigit = false): string {
  for (;;) {
    const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
    // Steve Wozniak is not boring (docker's own rule).
    if (name === "boring_wozniak") continue;
    return withDigit ? `${name}${randomInt(10)}` : name;
  }
}
