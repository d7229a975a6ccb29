#!/bin/sh
# Makes the fixtures of the signer-trust cases (`--signer-ca`): a throwaway CA, a signer
# certificate it issued (code-signing usage, not a CA), a second CA that issued nothing here, and
# unsigned.xml signed by that signer with xmlsec1 (Debian: apt-get install xmlsec1) in the layout
# of signed.xml (sign.sh). The outputs are committed so the tests need neither openssl nor xmlsec1.
#   ca.pem, ca-key.pem           the CA that issued the signer
#   signer.pem, signer-key.pem   the signer's certificate (issued by ca.pem) and key
#   rogue-ca.pem                 a CA the signer does not chain to
#   signed-by-ca.xml             unsigned.xml signed by signer.pem (its certificate in KeyInfo)
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ! -f ca-key.pem ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 -subj "/O=stigrun conformance/CN=stigrun test content CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout ca-key.pem -out ca.pem
  openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 -subj "/O=stigrun conformance/CN=stigrun rogue CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$work/rogue-key.pem" -out rogue-ca.pem
  openssl req -newkey rsa:2048 -nodes -subj "/O=stigrun conformance/CN=stigrun content signer" \
    -keyout signer-key.pem -out "$work/signer.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' > "$work/ext"
  openssl x509 -req -in "$work/signer.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 36500 -sha256 \
    -extfile "$work/ext" -out signer.pem
  rm -f ca.srl
fi
sed '/<\/ds:data-stream-collection>/d' unsigned.xml > "$work/template.xml"
cat signature-template.xml >> "$work/template.xml"
echo '</ds:data-stream-collection>' >> "$work/template.xml"
xmlsec1 --sign --privkey-pem signer-key.pem,signer.pem \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:data-stream \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:component \
  --output signed-by-ca.xml "$work/template.xml"
xmlsec1 --verify --trusted-pem ca.pem \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:data-stream \
  --id-attr:id http://scap.nist.gov/schema/scap/source/1.2:component signed-by-ca.xml
