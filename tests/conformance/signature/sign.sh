#!/bin/sh
# Makes the signed fixtures of the signature conformance case (SP 800-126r3 §3.1, signed source
# data streams) with xmlsec1 (Debian: apt-get install xmlsec1) and a throwaway key (sign-by-ca.sh makes
# the signer-trust ones): run it here
# after changing unsigned.xml; the outputs are committed so the tests need no xmlsec1.
#   key.pem, cert.pem   throwaway RSA-2048 key and its self-signed certificate
#   signed.xml          unsigned.xml with an enveloped XML-DSig signature (exclusive c14n,
#                       SHA-256, RSA-SHA256) over the whole document, the data stream and the
#                       XCCDF component, the certificate in KeyInfo
#   tampered.xml        signed.xml with one byte of rule one's title changed
#   signed-keyvalue.xml, tampered-keyvalue.xml
#                       the same with the bare RSA key (KeyValue) in KeyInfo instead of the
#                       certificate: oscap 1.3.7 refuses a self-signed certificate it has no trust
#                       for, but verifies a KeyValue signature, so these compare with it
set -eu
cd "$(dirname "$0")"
if [ ! -f key.pem ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
    -subj "/O=stigrun conformance/CN=stigrun test signer" -keyout key.pem -out cert.pem
fi
# The template: the signature is the collection's last child (the schema's place for it).
sed '/<\/ds:data-stream-collection>/d' unsigned.xml > template.xml
cat signature-template.xml >> template.xml
echo '</ds:data-stream-collection>' >> template.xml
IDS="--id-attr:id http://scap.nist.gov/schema/scap/source/1.2:data-stream --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:component"
# shellcheck disable=SC2086
xmlsec1 --sign --privkey-pem key.pem,cert.pem $IDS --output signed.xml template.xml
sed 's|<X509Data><X509Certificate/></X509Data>|<KeyValue/>|' template.xml > template-keyvalue.xml
# shellcheck disable=SC2086
xmlsec1 --sign --privkey-pem key.pem $IDS --output signed-keyvalue.xml template-keyvalue.xml
sed 's|xlink:href="#scap_io.stigrun.conf_comp_oval"|xlink:href="file:../datastreams/external-oval.xml"|' \
  template.xml > template-external.xml
# shellcheck disable=SC2086
xmlsec1 --sign --privkey-pem key.pem,cert.pem $IDS --output signed-external.xml template-external.xml
sed '/<\/ds:data-stream-collection>/d' unsigned.xml > template-manifest.xml
cat signature-manifest-template.xml >> template-manifest.xml
echo '</ds:data-stream-collection>' >> template-manifest.xml
# shellcheck disable=SC2086
xmlsec1 --sign --privkey-pem key.pem $IDS --id-attr:Id http://www.w3.org/2000/09/xmldsig#:Manifest \
  --output signed-manifest.xml template-manifest.xml
sed 's|<value>a</value></constant_variable>|<value>b</value></constant_variable>|' signed-manifest.xml > tampered-manifest.xml
cmp -s signed-manifest.xml tampered-manifest.xml && { echo "tampering changed nothing" >&2; exit 1; }
rm template.xml template-keyvalue.xml template-external.xml template-manifest.xml
for name in signed signed-keyvalue; do
  sed 's/rule one &amp; its/rule One \&amp; its/' $name.xml > "$(echo $name | sed s/signed/tampered/)".xml
done
cmp -s signed.xml tampered.xml && { echo "tampering changed nothing" >&2; exit 1; }
xmlsec1 --verify --trusted-pem cert.pem \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:data-stream \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:component signed.xml
if xmlsec1 --verify --trusted-pem cert.pem \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:data-stream \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:component tampered.xml 2>/dev/null; then
  echo "tampered.xml verifies" >&2; exit 1
fi
