// Java models (Jackson-annotated classes) from an AsyncAPI document, with Modelina, as an
// integrator would make them: node generate.mjs <asyncapi.json> <output folder> <Java package> [channel id]
// With a channel id (e.g. registry_inbox_publisher_v1, a publisher's inbox), the models of that
// channel's messages only: Modelina reads a message on two channels as two models of one name.
// A CloudEvent message's payload, titled by its type (se.malmo.oppna.initiative.submitted.v1), is the
// class InitiativeSubmittedV1Event; its data is the schema's own name (InitiativeSubmittedV1).
// Modelina's warnings and errors go to stderr, each line starting with its level.
import { readFileSync } from 'node:fs';
import { JAVA_COMMON_PRESET, JAVA_JACKSON_PRESET, JavaFileGenerator, Logger, javaDefaultModelNameConstraints } from '@asyncapi/modelina';

const [path, output, packageName, channel] = process.argv.slice(2);
const PLATFORM_TYPE = 'se.malmo.oppna.';

Logger.setLogger({
  debug() {},
  info() {},
  warn: (...said) => console.error('WARNING', ...said),
  error: (...said) => console.error('ERROR', ...said),
});

const modelName = javaDefaultModelNameConstraints({
  NO_SPECIAL_CHAR: (name) => (name.startsWith(PLATFORM_TYPE) ? `${name.slice(PLATFORM_TYPE.length)}.event` : name)
    .replace(/[^A-Za-z0-9_ ]/g, '_'),
});
const generator = new JavaFileGenerator({
  constraints: { modelName },
  presets: [JAVA_JACKSON_PRESET, { preset: JAVA_COMMON_PRESET, options: { equal: false, hashCode: false, classToString: false } }],
});
const document = JSON.parse(readFileSync(path, 'utf8'));
if (channel) {
  if (!document.channels[channel]) throw new Error(`no channel ${channel} in ${path}`);
  document.channels = { [channel]: document.channels[channel] };
  document.operations = Object.fromEntries(Object.entries(document.operations)
    .filter(([, operation]) => operation.channel.$ref === `#/channels/${channel}`));
}
const models = await generator.generateToFiles(document, output, { packageName });
console.log(`${models.length} models in ${output}`);
