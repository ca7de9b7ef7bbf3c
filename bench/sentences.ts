// Seeded English-like sentences for text models' BYTES inputs, with a configurable spread of lengths.

/** Words per sentence, drawn uniformly from min to max (both included). */
export interface SentenceLengths {
  min: number;
  max: number;
}

// Common words of ordinary prose: they tokenize to about 1.3 tokens each, as typical sentences do.
const vocabulary = (
  'the a of and to in is it that was for on are with as be at by this have from or had not but what all were when we ' +
  'there can an your which their said if do will each about how up out them then she many some so these would other ' +
  'into has more her two like him see time could no make than first been its who now people my made over did down ' +
  'only way find use may water long little very after words called just where most know get through back much go good ' +
  'new write our me man too any day same right look think also around another came come work three word must because ' +
  'does part even place well such here take why things help put years different away again off went old number great ' +
  'tell men say small every found still between name should home big give air line set own under read last never us ' +
  'left end along while might next sound below saw something thought both few those always looked show large often ' +
  'together asked house world going want school important until form food keep children feet land side without boy ' +
  'once animals life enough took sometimes four head above kind began almost live page got earth need far hand high ' +
  'year mother light parts country father let night following picture being study second eyes soon times story boys ' +
  'since white days ever paper hard near sentence better best across during today others however sure means knew its'
).split(' ');

/** One sentence: a capitalised run of words with a comma now and then, ending in a full stop. */
export function seededSentence(random: () => number, lengths: SentenceLengths): string {
  const words = lengths.min + Math.floor(random() * (lengths.max - lengths.min + 1));
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let word = vocabulary[Math.floor(random() * vocabulary.length)];
    if (i === 0) word = word[0].toUpperCase() + word.slice(1);
    if (i > 0 && i < words - 1 && random() < 0.08) word += ',';
    out.push(word);
  }
  return `${out.join(' ')}.`;
}
