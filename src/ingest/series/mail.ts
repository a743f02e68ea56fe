import PostalMime from 'postal-mime';

/**
 * One mail decoded with postal-mime: RFC 2047 headers, MIME multipart,
 * quoted-printable and base64 bodies. The body is the first text/plain part
 * (a patch sent as an inline attachment is taken from its attachment).
 */
export interface MailMessage {
  subject: string;
  from: { name: string; email: string } | null;
  date: string | null;
  messageId: string | null;
  /** Decoded text body, CRLF normalized to LF. */
  body: string;
  /** True when the message had a header block (a `Subject:` or `From:`). */
  hasHeaders: boolean;
}

export async function parseMail(raw: string): Promise<MailMessage> {
  const email = await PostalMime.parse(raw);
  let body = email.text ?? '';
  if (!/^diff --git /m.test(body)) {
    for (const a of email.attachments ?? []) {
      if (
        a.mimeType === 'text/x-patch' ||
        a.mimeType === 'text/x-diff' ||
        /\.(?:patch|diff)$/.test(a.filename ?? '')
      ) {
        const content = typeof a.content === 'string' ? a.content : new TextDecoder().decode(a.content);
        body = `${body}\n${content}`;
      }
    }
  }
  const from = email.from && 'address' in email.from && email.from.address ? email.from : null;
  return {
    subject: email.subject ?? '',
    from: from ? { name: from.name ?? '', email: from.address ?? '' } : null,
    date: email.date ?? null,
    messageId: email.messageId ? email.messageId.replace(/^<|>$/g, '') : null,
    body: body.replace(/\r\n?/g, '\n'),
    hasHeaders: email.headers.some((h) => h.key === 'subject' || h.key === 'from'),
  };
}
