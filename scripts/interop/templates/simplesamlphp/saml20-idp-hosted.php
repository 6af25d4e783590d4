<?php
/* The IdP: entity ID = its metadata URL, a key and certificate made for this run, RSA-SHA256, signed assertions. */
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'interop-userpass',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.assertion' => true,
    'saml20.sign.response' => false,
];
