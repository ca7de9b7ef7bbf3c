import { z } from 'zod';

/** A check across fields of one object, defined once and enforced twice: by the API server (CEL) and by zod. */
export interface CrossFieldRule<T> {
  /** CEL expression the API server evaluates with `self` bound to the object. */
  cel: string;
  /** The same check in TypeScript, evaluated by zod on the parsed (defaulted) object. */
  holds: (value: T) => boolean;
  /** The field the message is about, relative to the object. */
  field: string;
  /** What is wrong and how to fix it; identical in both places so users see one message. */
  message: string;
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueForbidden';
}

/** The `x-kubernetes-validations` entry of a rule, as it appears in the CRD. */
export function celValidation<T>(rule: CrossFieldRule<T>): Record<string, string> {
  return { rule: rule.cel, message: rule.message, fieldPath: `.${rule.field}`, reason: rule.reason };
}

/** Attaches rules to an object schema: a zod refinement plus CEL metadata that z.toJSONSchema copies into the CRD. */
export function withCrossFieldRules<S extends z.ZodType<object>>(schema: S, rules: CrossFieldRule<z.output<S>>[]): S {
  return schema
    .superRefine((value, ctx) => {
      for (const rule of rules) {
        if (!rule.holds(value)) ctx.addIssue({ code: 'custom', path: [rule.field], message: rule.message });
      }
    })
    .meta({ 'x-kubernetes-validations': rules.map(celValidation) });
}
